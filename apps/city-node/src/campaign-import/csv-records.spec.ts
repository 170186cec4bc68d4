import { Readable } from 'node:stream';
import { CsvMalformedError, csvRecords, inChunks, MAX_RECORD_BYTES } from './csv-records';

async function records(csv: string) {
  const out = [];
  for await (const r of csvRecords(Readable.from([Buffer.from(csv)]))) out.push(r);
  return out;
}

async function failure(csv: string): Promise<CsvMalformedError> {
  try {
    await records(csv);
  } catch (err) {
    if (err instanceof CsvMalformedError) return err;
    throw err;
  }
  throw new Error('the file was read without a failure');
}

describe('CSV records', () => {
  it('numbers records as a spreadsheet numbers rows, blank lines and quoted line breaks included', async () => {
    const rows = await records('\ufeffa,b\n1,2\n\n"x\ny",3\n4,5,6\r\n7,8');
    expect(rows.map((r) => [r.row, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [3, ['']],
      [4, ['x\ny', '3']],
      [5, ['4', '5', '6']],
      [6, ['7', '8']],
    ]);
  });

  it('reports how many bytes it has read after each record', async () => {
    const rows = await records('a,b\n1,2\n');
    expect(rows.map((r) => r.bytes)).toEqual([4, 8]);
  });

  it.each([
    ['a quote never closed', 'a,b\n1,"ZQ\n3,4\n', 'a quoted cell is never closed'],
    ['a quote inside a cell', 'a,b\n1,Z"Q\n', 'a quote appears inside an unquoted cell'],
    ['text after a closing quote', 'a,b\n1,"Z"Q\n', 'text follows the closing quote of a cell'],
  ])('stops at %s, naming the line but no cell text', async (_what, csv, reason) => {
    const err = await failure(csv);
    expect(err.reason).toBe(reason);
    expect(err.line).toBeGreaterThanOrEqual(2);
    expect(err.message).not.toMatch(/Z|Q/);
  });

  it('stops at a record too long to be one', async () => {
    const err = await failure(`a\n"${'x'.repeat(MAX_RECORD_BYTES + 10)}\n`);
    expect(err.reason).toMatch(/longer than/);
  });
});

describe('chunks', () => {
  it('groups items, the last chunk holding the rest', async () => {
    const chunks = [];
    for await (const c of inChunks(Readable.from([1, 2, 3, 4, 5, 6, 7]), 3)) chunks.push(c);
    expect(chunks).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });
});
