import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

/** One record of a CSV file: its spreadsheet row (the header is row 1) and its cells. */
export interface CsvRecord {
  row: number;
  fields: string[];
  /** bytes of the file read up to the end of this record */
  bytes: number;
}

/** A record no longer than this; a longer one means a quote was never closed. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** The file is not CSV past `line`; the reason is ours, never csv-parse's (it quotes cell text). */
export class CsvMalformedError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted cell',
  CSV_INVALID_CLOSING_QUOTE: 'text follows the closing quote of a cell',
  CSV_MAX_RECORD_SIZE: `a record is longer than ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`,
};

/**
 * The records of a CSV (RFC 4180, comma, optional UTF-8 BOM) as they stream
 * in. Rows with another number of cells than the header are passed on (the
 * caller reports them per row); a broken quote stops the file with
 * `CsvMalformedError`, because after it no row boundary can be trusted.
 */
export async function* csvRecords(source: Readable): AsyncGenerator<CsvRecord> {
  const parser = source.pipe(
    parse({
      bom: true,
      // spreadsheets write CRLF, scripts LF; a file may mix them when rows were appended
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_BYTES,
      info: true,
    }),
  );
  source.once('error', (err) => parser.destroy(err));
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { records: number; bytes: number };
    }>) {
      yield { row: item.info.records, fields: item.record, bytes: item.info.bytes };
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? 0;
      throw new CsvMalformedError(line, REASONS[err.code] ?? 'not valid CSV');
    }
    throw err;
  }
}

/** Groups a stream of items into arrays of at most `size`. */
export async function* inChunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
