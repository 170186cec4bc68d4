/**
 * The rules of a campaign import (专项活动 bulk registration of arrivals) that
 * need neither Nest nor a database: file header, row findings, duplicates
 * within a file, progress, when a running import counts as interrupted.
 */

/** parsing: reading and checking the whole file; committing: registering its valid rows. */
export const IMPORT_STATUSES = ['parsing', 'committing', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export function isRunning(status: ImportStatus): boolean {
  return status === 'parsing' || status === 'committing';
}

/** A campaign id names the drive the rows were collected in, e.g. `2026-spring-clearance`. */
export const CAMPAIGN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Uploads above this are refused (413 IMPORT_TOO_LARGE): ≈ 1.5 million rows. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

/** Rows checked between two saves of the counts and findings (pass 1). */
export const CHECK_CHUNK_ROWS = 1000;

/**
 * Rows registered in one transaction (pass 2). Nothing else runs on the node
 * while a chunk commits, so the chunk bounds one turn of the event loop; a
 * row costs ≈ 0.2 ms of synchronous work now that its chunk travels as bulk
 * messages (one signature per bulk, not per row), so 250 rows keep a turn
 * near 50 ms at 250 rows — measured ×1.9 with the larger page cache, but not
 * yet proven against the 100,000-row test's health-latency bound, so the
 * chunk stays at 50 until it is (docs/decisions.md, issue 14).
 */
export const COMMIT_CHUNK_ROWS = 50;

/** The longest the check pass keeps the event loop before giving it back. */
export const YIELD_AFTER_MS = 20;

/**
 * The report keeps at most this many findings; the counts stay exact beyond
 * it. A file that is wrong on every row needs fixing, not a longer list.
 */
export const MAX_FINDINGS = 100_000;

/** One column of the import file. */
export interface ColumnSpec {
  name: string;
  required: boolean;
}

export type HeaderProblemCode =
  'IMPORT_COLUMNS_MISSING' | 'IMPORT_COLUMNS_UNKNOWN' | 'IMPORT_COLUMNS_REPEATED';

export interface HeaderProblem {
  code: HeaderProblemCode;
  columns: string[];
}

/**
 * Why a header row cannot be read with `columns`, or undefined when it can.
 * Names are compared exactly after trimming spaces; order is free. Unknown
 * columns are refused like unknown JSON fields: a misspelt optional column
 * would otherwise be dropped without a word. Missing columns are looked for
 * first: a file without a header has a person where the header should be,
 * and the answer must name no cell of it.
 */
export function headerProblem(header: string[], columns: ColumnSpec[]): HeaderProblem | undefined {
  const names = header.map((h) => h.trim());
  const missing = columns.filter((c) => c.required && !names.includes(c.name)).map((c) => c.name);
  if (missing.length) return { code: 'IMPORT_COLUMNS_MISSING', columns: missing };
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (repeated.length) return { code: 'IMPORT_COLUMNS_REPEATED', columns: repeated };
  const known = new Set(columns.map((c) => c.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) return { code: 'IMPORT_COLUMNS_UNKNOWN', columns: unknown };
  return undefined;
}

/** What is wrong with one field of one row. Messages never repeat the value. */
export interface RowFinding {
  /** the spreadsheet row: the header is row 1, the first data row is row 2 */
  row: number;
  /** the column, or `*` for the row as a whole */
  field: string;
  code: string;
  message: string;
}

/** A data row as column name → trimmed text; empty cells are left out. */
export type RowCells = Record<string, string>;

/**
 * The cells of one data row by column name, or the finding that its number
 * of cells does not match the header's.
 */
export function rowCells(
  header: string[],
  fields: string[],
  row: number,
): { cells: RowCells } | { finding: RowFinding } {
  if (fields.length !== header.length) {
    return {
      finding: {
        row,
        field: '*',
        code: 'ROW_COLUMN_COUNT',
        message: `the row has ${fields.length} cells, the header ${header.length}`,
      },
    };
  }
  const cells: RowCells = {};
  header.forEach((name, i) => {
    const value = fields[i].trim();
    if (value !== '') cells[name.trim()] = value;
  });
  return { cells };
}

/** Spreadsheets export empty rows as `,,,`: they are skipped, not findings. */
export function isBlankRow(fields: string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

/**
 * Remembers the first row of each person in a file: a later row of the same
 * person is a finding (`DUPLICATE_IN_FILE`), so that one file never sends a
 * person twice and which row counts is plain to see.
 */
export class FirstRows {
  private readonly rows = new Map<string, number>();

  /** The earlier row of `key`, or undefined when this is the first (and then remembered). */
  earlier(key: string, row: number): number | undefined {
    const first = this.rows.get(key);
    if (first !== undefined) return first;
    this.rows.set(key, row);
    return undefined;
  }
}

export function duplicateInFile(row: number, field: string, firstRow: number): RowFinding {
  return {
    row,
    field,
    code: 'DUPLICATE_IN_FILE',
    message: `the same person as row ${firstRow}; only row ${firstRow} is imported`,
  };
}

export interface ImportCounts {
  /** size of the file */
  bytes: number;
  /** how far parsing has read */
  bytesParsed: number;
  rowsValid: number;
  rowsCommitted: number;
  /** valid rows skipped because the campaign already had the person (from any of its files) */
  rowsDuplicate: number;
  /** valid rows the arrival core would not register (already registered here, no agreement …) */
  rowsRefused: number;
}

/**
 * The share of the import's work that parsing takes. Checking a row (CSV and
 * the arrival check) costs a small fraction of committing it (two
 * encryptions, a signed envelope, database rows, the receipt): in a CPU
 * profile of a 30,000-row import the checking pass was ≈ 2 % of the node's
 * time; 5 % keeps the bar from standing still at the start.
 */
export const PARSE_SHARE = 0.05;

/** How far the import has got, 0 to 1 (rounded down to 0.1 %): parsing first, then committing. */
export function importProgress(status: ImportStatus, counts: ImportCounts): number {
  if (status === 'done') return 1;
  const parsed = counts.bytes > 0 ? Math.min(1, counts.bytesParsed / counts.bytes) : 1;
  const committed =
    counts.rowsValid > 0
      ? Math.min(
          1,
          (counts.rowsCommitted + counts.rowsDuplicate + counts.rowsRefused) / counts.rowsValid,
        )
      : 1;
  const progress =
    status === 'parsing'
      ? PARSE_SHARE * parsed
      : PARSE_SHARE * parsed + (1 - PARSE_SHARE) * (status === 'committing' ? committed : 0);
  return Math.floor(progress * 1000) / 1000;
}

/** A running import beats at least this often while its process is alive. */
export const HEARTBEAT_MS = 5000;

/** A running import whose last beat is older than this has lost its process (crash, kill). */
export const INTERRUPTED_AFTER_MS = 30000;

export function isInterrupted(
  status: ImportStatus,
  heartbeatAt: number,
  now = Date.now(),
): boolean {
  return isRunning(status) && now - heartbeatAt > INTERRUPTED_AFTER_MS;
}

/** Failures that the file's bytes decide: the same file fails the same way again. */
export const CONTENT_FAILURES = [
  'CSV_MALFORMED',
  'IMPORT_EMPTY',
  'IMPORT_COLUMNS_MISSING',
  'IMPORT_COLUMNS_UNKNOWN',
  'IMPORT_COLUMNS_REPEATED',
] as const;

/**
 * What an upload of a file the campaign already has does. The same bytes
 * give the same findings, so an import that is running, done or failed on
 * its content is the answer; one that failed for any other reason (its
 * process was lost, the database failed) runs again — the row keys keep the
 * rows it committed from going out twice.
 */
export function reuploadOutcome(
  status: ImportStatus,
  failureCode: string | null,
): 'existing' | 'resume' {
  const contentFailure = (CONTENT_FAILURES as readonly (string | null)[]).includes(failureCode);
  return status === 'failed' && !contentFailure ? 'resume' : 'existing';
}
