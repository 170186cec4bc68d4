import type { ImportStatus } from './import-rules';

/** Why an import stopped. */
export class ImportFailureView {
  /** CSV_MALFORMED, IMPORT_EMPTY, IMPORT_COLUMNS_MISSING / _UNKNOWN / _REPEATED, INTERRUPTED or INTERNAL */
  code!: string;
  detail!: string;
}

/** An import of a campaign file: where it stands. Holds no personal data. */
export class ImportView {
  id!: string;
  campaignId!: string;
  /** SHA-256 of the file's bytes (hex): the same file is imported once per campaign */
  fileSha256!: string;
  status!: ImportStatus;
  /** 1, or more when a re-upload resumed an interrupted import */
  attempts!: number;
  bytes!: number;
  /** data rows read so far (blank rows not counted) */
  rowsRead!: number;
  rowsValid!: number;
  /** rows with findings in the report; none of them is registered */
  rowsInvalid!: number;
  /** valid rows registered and queued for their outflow node */
  rowsCommitted!: number;
  /** valid rows skipped: the campaign already has the person, from this or another of its files */
  rowsDuplicate!: number;
  /** valid rows the arrival core refused (already registered here, no agreement with the outflow node); in the report */
  rowsRefused!: number;
  /** 0 to 1: parsing is the first 5 %, committing the rest */
  progress!: number;
  failure!: ImportFailureView | null;
  /** findings in the report */
  findings!: number;
  /** the report keeps the first 100,000 findings; the counts stay exact */
  reportTruncated!: boolean;
  /** where the per-row findings are */
  report!: string;
  uploadedAt!: string;
  /** the start of the current attempt */
  startedAt!: string;
  finishedAt!: string | null;
}

/** One finding: the row, the column and what is wrong, never the value. */
export class ImportFindingView {
  /** spreadsheet row: the header is row 1, the first data row 2 */
  row!: number;
  /** the column, or `*` for the row as a whole */
  field!: string;
  code!: string;
  message!: string;
}

export class ImportReportView {
  importId!: string;
  campaignId!: string;
  status!: ImportStatus;
  reportTruncated!: boolean;
  /** by row, then in the order they were found */
  findings!: ImportFindingView[];
}
