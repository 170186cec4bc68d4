import { ApiProperty } from '@nestjs/swagger';
import { IMPORT_STATUSES } from './import-rules';
import type { ImportStatus } from './import-rules';

const COUNT = { type: 'integer' } as const;

/** Why an import stopped. */
export class ImportFailureView {
  @ApiProperty({
    description:
      'CSV_MALFORMED, IMPORT_EMPTY, IMPORT_COLUMNS_MISSING / _UNKNOWN / _REPEATED, INTERRUPTED or INTERNAL',
  })
  code!: string;

  @ApiProperty()
  detail!: string;
}

/** An import of a campaign file: where it stands. Holds no personal data. */
export class ImportView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  campaignId!: string;

  @ApiProperty({
    description: "SHA-256 of the file's bytes (hex): the same file is imported once per campaign",
  })
  fileSha256!: string;

  @ApiProperty({ enum: IMPORT_STATUSES })
  status!: ImportStatus;

  @ApiProperty({
    ...COUNT,
    description: '1, or more when a re-upload resumed an interrupted import',
  })
  attempts!: number;

  @ApiProperty(COUNT)
  bytes!: number;

  @ApiProperty({ ...COUNT, description: 'data rows read so far (blank rows not counted)' })
  rowsRead!: number;

  @ApiProperty(COUNT)
  rowsValid!: number;

  @ApiProperty({
    ...COUNT,
    description: 'rows with findings in the report; none of them is registered',
  })
  rowsInvalid!: number;

  @ApiProperty({ ...COUNT, description: 'valid rows registered and queued for their outflow node' })
  rowsCommitted!: number;

  @ApiProperty({
    ...COUNT,
    description:
      'valid rows skipped: the campaign already has the person, from this or another of its files',
  })
  rowsDuplicate!: number;

  @ApiProperty({
    ...COUNT,
    description:
      'valid rows the arrival core refused (already registered here, no agreement with the outflow node); in the report',
  })
  rowsRefused!: number;

  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: 'parsing is the first 5 %, committing the rest',
  })
  progress!: number;

  @ApiProperty({ type: ImportFailureView, nullable: true })
  failure!: ImportFailureView | null;

  @ApiProperty({ ...COUNT, description: 'findings in the report' })
  findings!: number;

  @ApiProperty({
    description: 'the report keeps the first 100,000 findings; the counts stay exact',
  })
  reportTruncated!: boolean;

  @ApiProperty({ description: 'where the per-row findings are' })
  report!: string;

  @ApiProperty({ format: 'date-time' })
  uploadedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'the start of the current attempt' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

/** One finding: the row, the column and what is wrong, never the value. */
export class ImportFindingView {
  @ApiProperty({
    ...COUNT,
    description: 'spreadsheet row: the header is row 1, the first data row 2',
  })
  row!: number;

  @ApiProperty({ description: 'the column, or `*` for the row as a whole' })
  field!: string;

  @ApiProperty()
  code!: string;

  @ApiProperty()
  message!: string;
}

export class ImportReportView {
  @ApiProperty({ format: 'uuid' })
  importId!: string;

  @ApiProperty()
  campaignId!: string;

  @ApiProperty({ enum: IMPORT_STATUSES })
  status!: ImportStatus;

  @ApiProperty()
  reportTruncated!: boolean;

  @ApiProperty({
    type: [ImportFindingView],
    description: 'by row, then in the order they were found',
  })
  findings!: ImportFindingView[];
}
