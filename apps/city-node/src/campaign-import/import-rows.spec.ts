import { Readable } from 'node:stream';
import {
  ArrivalRows,
  csvFile,
  csvLine,
  syntheticCampaignFile,
} from '../../../../tests/support/campaign-import';
import { csvRecords } from './csv-records';
import {
  IMPORT_COLUMNS,
  ImportFileError,
  ImportRow,
  importRows,
  refusedField,
} from './import-rows';

const HUIZHOU = '441300';
const context = { me: HUIZHOU, today: '2026-03-01' };

async function read(csv: string): Promise<ImportRow[]> {
  const rows: ImportRow[] = [];
  for await (const r of importRows(
    csvRecords(Readable.from([Buffer.from(csv)])),
    '2026-spring',
    context,
  )) {
    rows.push(r);
  }
  return rows;
}

async function fileError(csv: string): Promise<ImportFileError> {
  try {
    await read(csv);
  } catch (err) {
    if (err instanceof ImportFileError) return err;
    throw err;
  }
  throw new Error('the file was read without a failure');
}

describe('the columns of an import file', () => {
  it('are the fields of an arrival row but the campaign, which the URL names', () => {
    expect(IMPORT_COLUMNS).toEqual([
      { name: 'idNumber', required: true },
      { name: 'name', required: true },
      { name: 'phone', required: false },
      { name: 'address', required: true },
      { name: 'arrivedOn', required: true },
      { name: 'householdDivision', required: false },
      { name: 'outflowNode', required: false },
      { name: 'residencePermitNumber', required: false },
      { name: 'maritalStatus', required: true },
      { name: 'children', required: false },
      { name: 'agreementId', required: false },
    ]);
  });
});

describe('reading an import file', () => {
  const gen = new ArrivalRows(7);

  it('gives each valid row as an arrival of the campaign', async () => {
    const row = gen.row();
    const [r] = await read(csvFile([row]));
    expect(r).toMatchObject({ row: 2, kind: 'valid' });
    expect(r.kind === 'valid' && r.arrival).toEqual({
      person: { idNumber: row.idNumber, name: row.name, phone: row.phone, address: row.address },
      arrivedOn: row.arrivedOn,
      householdDivision: row.householdDivision,
      outflowNode: '511500',
      maritalStatus: row.maritalStatus,
      children: Number(row.children),
      campaignId: '2026-spring',
    });
  });

  it('reports each kind of bad row with its row, column and code, never the value', async () => {
    const good = gen.row();
    const rows = [
      good,
      { ...gen.row(), idNumber: gen.badCheckDigit() },
      { ...gen.row(), idNumber: gen.impossibleBirthDate() },
      { ...gen.row(), name: undefined },
      { ...gen.row(), arrivedOn: '2025-13-01' },
      { ...gen.row(), maritalStatus: 'engaged' },
      { ...gen.row(), idNumber: good.idNumber },
      { ...gen.row(), arrivedOn: '2026-03-02' },
    ];
    const result = await read(csvFile(rows));
    const findings = result.flatMap((r) => (r.kind === 'invalid' ? r.findings : []));
    expect(findings.map(({ row, field, code }) => ({ row, field, code }))).toEqual([
      { row: 3, field: 'idNumber', code: 'ID_NUMBER_CHECK_DIGIT' },
      { row: 4, field: 'idNumber', code: 'ID_NUMBER_BIRTH_DATE' },
      { row: 5, field: 'name', code: 'INVALID' },
      { row: 6, field: 'arrivedOn', code: 'INVALID' },
      { row: 7, field: 'maritalStatus', code: 'INVALID' },
      { row: 8, field: 'idNumber', code: 'DUPLICATE_IN_FILE' },
      { row: 9, field: 'arrivedOn', code: 'DATE_IN_FUTURE' },
    ]);
    expect(findings[5].message).toBe('the same person as row 2; only row 2 is imported');
    const text = JSON.stringify(findings);
    for (const r of rows) {
      for (const value of [r.idNumber, r.name, r.phone, r.address]) {
        if (value) expect(text).not.toContain(value);
      }
    }
    expect(result.filter((r) => r.kind === 'valid').map((r) => r.row)).toEqual([2]);
  });

  it('reports a row with too few cells as a whole, and skips blank rows', async () => {
    const row = gen.row();
    const csv = `${csvFile([row])}\n,,,,,,,\n${csvLine(['1', '2'])}\n`;
    const rows = await read(csv);
    expect(rows.map((r) => [r.row, r.kind])).toEqual([
      [2, 'valid'],
      [3, 'blank'],
      [4, 'blank'],
      [5, 'invalid'],
    ]);
    expect(rows[3].kind === 'invalid' && rows[3].findings).toEqual([
      {
        row: 5,
        field: '*',
        code: 'ROW_COLUMN_COUNT',
        message: 'the row has 2 cells, the header 8',
      },
    ]);
  });

  it('takes the household from the ID number when the column is left out', async () => {
    const row = gen.row();
    const [r] = await read(
      csvFile([row], ['idNumber', 'name', 'address', 'arrivedOn', 'maritalStatus']),
    );
    expect(r.kind === 'valid' && r.arrival.householdDivision).toBe(row.idNumber?.slice(0, 6));
  });

  it('refuses a file without the required columns, naming them', async () => {
    const err = await fileError(csvFile([gen.row()], ['idNumber', 'phone', 'arrivedOn']));
    expect(err.code).toBe('IMPORT_COLUMNS_MISSING');
    expect(err.message).toMatch(/^the header lacks name, address, maritalStatus \(columns: /);
  });

  it('refuses a file that names the campaign or unknown columns', async () => {
    const columns = ['idNumber', 'name', 'address', 'arrivedOn', 'maritalStatus', 'campaignId'];
    const err = await fileError(csvFile([gen.row()], columns));
    expect(err.code).toBe('IMPORT_COLUMNS_UNKNOWN');
    expect(err.message).toMatch(/campaignId/);
  });

  it('refuses a file without even a header', async () => {
    expect((await fileError('')).code).toBe('IMPORT_EMPTY');
    expect((await fileError('\ufeff')).code).toBe('IMPORT_EMPTY');
  });

  it('accepts a header without rows', async () => {
    expect(await read(csvFile([]))).toEqual([]);
  });
});

describe('a synthetic campaign file', () => {
  it('has exactly the bad rows it says it has', async () => {
    const { csv, findings, good } = syntheticCampaignFile(new ArrivalRows(11), 600, 100);
    const rows = await read(csv);
    const found = rows.flatMap((r) =>
      r.kind === 'invalid' ? r.findings.map(({ row, field, code }) => ({ row, field, code })) : [],
    );
    expect(found).toEqual(findings);
    expect(found).toHaveLength(6);
    expect(new Set(found.map((f) => `${f.field} ${f.code}`)).size).toBe(6);
    const valid = rows.flatMap((r) => (r.kind === 'valid' ? [r.arrival.person.idNumber] : []));
    expect(valid).toEqual(good);
  });
});

describe('a refusal of the arrival core in the report', () => {
  it('is about the ID number when the person is registered here already', () => {
    expect(refusedField('MIGRANT_ALREADY_REGISTERED', { agreementId: undefined } as never)).toBe(
      'idNumber',
    );
  });

  it('is about the agreement the row names, otherwise the outflow node', () => {
    expect(refusedField('NO_AGREEMENT', { agreementId: 'a' } as never)).toBe('agreementId');
    expect(refusedField('UNKNOWN_PARTNER', {} as never)).toBe('outflowNode');
  });
});
