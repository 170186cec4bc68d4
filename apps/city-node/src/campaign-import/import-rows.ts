/**
 * Rows of an import file as arrivals: the columns are the fields of the
 * migrants flow's arrival row and every row goes through the same check as
 * `POST /migrants/arrivals` (validateArrivalRow); this module only adds what
 * is particular to a file — the header, blank rows, cell counts and the same
 * person twice.
 */
import {
  ARRIVAL_FIELDS,
  ArrivalInput,
  RowContext,
  validateArrivalRow,
} from '../migrants/migrant-rules';
import { CsvRecord } from './csv-records';
import {
  ColumnSpec,
  duplicateInFile,
  FirstRows,
  HeaderProblemCode,
  headerProblem,
  isBlankRow,
  RowFinding,
  rowCells,
} from './import-rules';

/** The campaign comes from the URL, never from a row. */
const FROM_THE_URL = 'campaignId';

/**
 * Which arrival fields a file must have as columns: exactly those the arrival
 * check refuses a row without — an empty row fails on nothing else.
 */
const REQUIRED = new Set(
  (validateArrivalRow({}, { me: '', today: '9999-12-31' }).errors ?? []).map((e) => e.field),
);

export const IMPORT_COLUMNS: ColumnSpec[] = ARRIVAL_FIELDS.filter((f) => f !== FROM_THE_URL).map(
  (name) => ({ name, required: REQUIRED.has(name) }),
);

/** Why a whole file cannot be imported: nothing of it is committed. */
export class ImportFileError extends Error {
  constructor(
    readonly code: HeaderProblemCode | 'IMPORT_EMPTY',
    detail: string,
  ) {
    super(detail);
  }
}

export type ImportRow = { row: number; bytes: number } & (
  | { kind: 'blank' }
  | { kind: 'invalid'; findings: RowFinding[] }
  | { kind: 'valid'; arrival: ArrivalInput }
);

/**
 * Reads a file's records as arrivals for `campaignId`. Deterministic for the
 * same bytes and context, so that the checking pass and the committing pass
 * agree on every row.
 */
export async function* importRows(
  records: AsyncIterable<CsvRecord>,
  campaignId: string,
  context: RowContext,
): AsyncGenerator<ImportRow> {
  let header: string[] | undefined;
  const firstRows = new FirstRows();
  for await (const record of records) {
    const { row, bytes, fields } = record;
    if (!header) {
      const problem = headerProblem(fields, IMPORT_COLUMNS);
      if (problem)
        throw new ImportFileError(problem.code, headerDetail(problem.code, problem.columns));
      header = fields;
      continue;
    }
    if (isBlankRow(fields)) {
      yield { row, bytes, kind: 'blank' };
      continue;
    }
    const read = rowCells(header, fields, row);
    if ('finding' in read) {
      yield { row, bytes, kind: 'invalid', findings: [read.finding] };
      continue;
    }
    const check = validateArrivalRow({ ...read.cells, [FROM_THE_URL]: campaignId }, context);
    if (check.errors) {
      const findings = check.errors.map((e) => ({
        row,
        field: e.field,
        code: e.code,
        message: e.problem,
      }));
      yield { row, bytes, kind: 'invalid', findings };
      continue;
    }
    const earlier = firstRows.earlier(check.arrival.person.idNumber, row);
    if (earlier !== undefined) {
      yield { row, bytes, kind: 'invalid', findings: [duplicateInFile(row, 'idNumber', earlier)] };
      continue;
    }
    yield { row, bytes, kind: 'valid', arrival: check.arrival };
  }
  if (!header) throw new ImportFileError('IMPORT_EMPTY', 'the file has no header row');
}

function headerDetail(code: HeaderProblemCode, columns: string[]): string {
  const list = columns.join(', ');
  const expected = `columns: ${IMPORT_COLUMNS.map((c) => c.name + (c.required ? '' : '?')).join(', ')}`;
  switch (code) {
    case 'IMPORT_COLUMNS_MISSING':
      return `the header lacks ${list} (${expected})`;
    case 'IMPORT_COLUMNS_UNKNOWN':
      return `the header names columns an arrival does not have: ${list} (${expected})`;
    case 'IMPORT_COLUMNS_REPEATED':
      return `the header names ${list} more than once`;
  }
}

/** The column a refusal of the arrival core is about, for the report. */
export function refusedField(code: string, arrival: ArrivalInput): string {
  if (code === 'MIGRANT_ALREADY_REGISTERED') return 'idNumber';
  return arrival.agreementId ? 'agreementId' : 'outflowNode';
}
