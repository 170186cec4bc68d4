import {
  duplicateInFile,
  FirstRows,
  headerProblem,
  importProgress,
  isBlankRow,
  isInterrupted,
  reuploadOutcome,
  rowCells,
  INTERRUPTED_AFTER_MS,
  PARSE_SHARE,
  ImportCounts,
} from './import-rules';

const COLUMNS = [
  { name: 'idNumber', required: true },
  { name: 'name', required: true },
  { name: 'phone', required: false },
];

describe('the header row', () => {
  it('is fine in any order, with optional columns left out and spaces around names', () => {
    expect(headerProblem(['name', ' idNumber '], COLUMNS)).toBeUndefined();
    expect(headerProblem(['phone', 'name', 'idNumber'], COLUMNS)).toBeUndefined();
  });

  it('names every required column that is missing', () => {
    expect(headerProblem(['phone'], COLUMNS)).toEqual({
      code: 'IMPORT_COLUMNS_MISSING',
      columns: ['idNumber', 'name'],
    });
  });

  it('refuses columns it does not know, including names in another case', () => {
    expect(headerProblem(['idNumber', 'name', 'Phone', 'note'], COLUMNS)).toEqual({
      code: 'IMPORT_COLUMNS_UNKNOWN',
      columns: ['Phone', 'note'],
    });
  });

  it('refuses a column named twice', () => {
    expect(headerProblem(['name', 'idNumber', 'name', 'x'], COLUMNS)).toEqual({
      code: 'IMPORT_COLUMNS_REPEATED',
      columns: ['name'],
    });
  });

  it('names only missing columns when the first row is a person, not a header', () => {
    expect(headerProblem(['511502199001011234', '王伟', '王伟'], COLUMNS)).toEqual({
      code: 'IMPORT_COLUMNS_MISSING',
      columns: ['idNumber', 'name'],
    });
  });
});

describe('the cells of a row', () => {
  const header = ['idNumber', ' name', 'phone'];

  it('maps cells to trimmed column names, trims values and leaves empty cells out', () => {
    expect(rowCells(header, [' 1 ', '王伟', ''], 7)).toEqual({
      cells: { idNumber: '1', name: '王伟' },
    });
  });

  it('reports a row with another number of cells than the header, without its values', () => {
    expect(rowCells(header, ['a', 'b'], 7)).toEqual({
      finding: {
        row: 7,
        field: '*',
        code: 'ROW_COLUMN_COUNT',
        message: 'the row has 2 cells, the header 3',
      },
    });
  });

  it('takes rows of empty cells for blank rows', () => {
    expect(isBlankRow(['', ' ', ''])).toBe(true);
    expect(isBlankRow([''])).toBe(true);
    expect(isBlankRow(['', 'x'])).toBe(false);
  });
});

describe('the same person twice in a file', () => {
  it('keeps the first row and points later ones to it', () => {
    const first = new FirstRows();
    expect(first.earlier('A', 2)).toBeUndefined();
    expect(first.earlier('B', 3)).toBeUndefined();
    expect(first.earlier('A', 9)).toBe(2);
    expect(first.earlier('A', 12)).toBe(2);
    expect(duplicateInFile(9, 'idNumber', 2)).toEqual({
      row: 9,
      field: 'idNumber',
      code: 'DUPLICATE_IN_FILE',
      message: 'the same person as row 2; only row 2 is imported',
    });
  });
});

describe('progress', () => {
  const counts = (over: Partial<ImportCounts>): ImportCounts => ({
    bytes: 1000,
    bytesParsed: 0,
    rowsValid: 0,
    rowsCommitted: 0,
    rowsDuplicate: 0,
    rowsRefused: 0,
    ...over,
  });

  it('spends the parse share on parsing, by bytes read', () => {
    expect(importProgress('parsing', counts({ bytesParsed: 0 }))).toBe(0);
    expect(importProgress('parsing', counts({ bytesParsed: 500 }))).toBe(PARSE_SHARE / 2);
    expect(importProgress('parsing', counts({ bytesParsed: 1000 }))).toBe(PARSE_SHARE);
  });

  it('then counts valid rows that are committed, skipped as duplicates or refused', () => {
    const parsed = { bytesParsed: 1000, rowsValid: 200 };
    expect(importProgress('committing', counts(parsed))).toBe(PARSE_SHARE);
    expect(
      importProgress(
        'committing',
        counts({ ...parsed, rowsCommitted: 60, rowsDuplicate: 30, rowsRefused: 10 }),
      ),
    ).toBe(PARSE_SHARE + (1 - PARSE_SHARE) / 2);
    expect(importProgress('committing', counts({ ...parsed, rowsCommitted: 200 }))).toBe(1);
  });

  it('is whole when done, also for an empty file or one without valid rows', () => {
    expect(importProgress('done', counts({ bytes: 0 }))).toBe(1);
    expect(importProgress('committing', counts({ bytes: 0 }))).toBe(1);
    expect(importProgress('committing', counts({ bytesParsed: 1000, rowsValid: 0 }))).toBe(1);
  });

  it('stays where parsing stopped when the file fails', () => {
    expect(importProgress('failed', counts({ bytesParsed: 400 }))).toBe(0.02);
  });

  it('rounds down, never up to a whole that is not there', () => {
    const almost = counts({ bytesParsed: 1000, rowsValid: 100000, rowsCommitted: 99999 });
    expect(importProgress('committing', almost)).toBe(0.999);
  });
});

describe('an interrupted import', () => {
  const now = 1_000_000_000;

  it('is a running import whose heartbeat stopped', () => {
    expect(isInterrupted('committing', now - INTERRUPTED_AFTER_MS - 1, now)).toBe(true);
    expect(isInterrupted('parsing', now - INTERRUPTED_AFTER_MS - 1, now)).toBe(true);
    expect(isInterrupted('committing', now - INTERRUPTED_AFTER_MS, now)).toBe(false);
  });

  it('is never a finished one', () => {
    expect(isInterrupted('done', 0, now)).toBe(false);
    expect(isInterrupted('failed', 0, now)).toBe(false);
  });
});

describe('uploading a file the campaign already has', () => {
  it('answers with the import when it runs, is done or failed on its content', () => {
    expect(reuploadOutcome('parsing', null)).toBe('existing');
    expect(reuploadOutcome('committing', null)).toBe('existing');
    expect(reuploadOutcome('done', null)).toBe('existing');
    expect(reuploadOutcome('failed', 'CSV_MALFORMED')).toBe('existing');
    expect(reuploadOutcome('failed', 'IMPORT_COLUMNS_MISSING')).toBe('existing');
  });

  it('runs it again when it was interrupted or the node failed', () => {
    expect(reuploadOutcome('failed', 'INTERRUPTED')).toBe('resume');
    expect(reuploadOutcome('failed', 'INTERNAL')).toBe('resume');
  });
});
