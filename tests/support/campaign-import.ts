import { request as httpRequest } from 'node:http';
import type { Role } from '@yipanqi/http-api';
import type { ReachableNode } from './agreements';
import { PeopleGenerator, SyntheticPerson } from './synthetic-people';

/** A campaign file's columns in the order these helpers write them. */
export const CSV_COLUMNS = [
  'idNumber',
  'name',
  'phone',
  'address',
  'arrivedOn',
  'householdDivision',
  'maritalStatus',
  'children',
] as const;

export type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

const MARITAL = ['unmarried', 'married', 'divorced', 'widowed'];

/** One CSV line (RFC 4180 quoting where needed). */
export function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

export function csvFile(rows: CsvRow[], columns: readonly string[] = CSV_COLUMNS): string {
  const lines = [csvLine([...columns])];
  for (const row of rows) {
    lines.push(csvLine(columns.map((c) => row[c as keyof CsvRow] ?? '')));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Synthetic arrivals for people whose household is at `outflowNode`, each
 * person once: the generator draws from ≈ 90 million ID numbers, so 100,000
 * draws would repeat some.
 */
export class ArrivalRows {
  private readonly people: PeopleGenerator;
  private readonly seen = new Set<string>();

  constructor(
    seed: number,
    private readonly outflowNode = '511500',
  ) {
    this.people = new PeopleGenerator(seed);
  }

  person(): SyntheticPerson {
    for (;;) {
      const p = this.people.person(this.outflowNode);
      if (!this.seen.has(p.idNumber)) {
        this.seen.add(p.idNumber);
        return p;
      }
    }
  }

  row(): CsvRow {
    const p = this.person();
    return {
      idNumber: p.idNumber,
      name: p.name,
      phone: p.phone,
      address: p.address,
      arrivedOn: `2025-${String(this.people.int(1, 12)).padStart(2, '0')}-${String(this.people.int(1, 28)).padStart(2, '0')}`,
      householdDivision: p.household,
      maritalStatus: this.people.pick(MARITAL),
      children: String(this.people.int(0, 3)),
    };
  }

  badCheckDigit(): string {
    return this.people.badCheckDigit(this.outflowNode);
  }

  /** every ID number, name, phone and address in the rows made so far (and drawn twice) */
  personalData(): string[] {
    return this.people.personalData();
  }

  impossibleBirthDate(): string {
    return this.people.impossibleBirthDate(this.outflowNode);
  }
}

/** What the report must say about a row: its number, the column and the code. */
export interface ExpectedFinding {
  row: number;
  field: string;
  code: string;
}

/** The kinds of bad row a synthetic file holds, in turn, with the finding each gives. */
export const BAD_ROW_KINDS = [
  'bad check digit',
  'impossible birth date',
  'missing name',
  'bad date',
  'unknown marital status',
  'same person as an earlier row',
] as const;

/**
 * `count` data rows of people `gen` has not given before; every
 * `badEvery`-th row (the first at `badEvery`) is bad, of each kind in turn.
 * Returns the file, the expected findings and the ID numbers of the good rows.
 */
export function syntheticCampaignFile(
  gen: ArrivalRows,
  count: number,
  badEvery: number,
): { csv: string; findings: ExpectedFinding[]; good: string[] } {
  const rows: CsvRow[] = [];
  const findings: ExpectedFinding[] = [];
  let bad = 0;
  for (let i = 1; i <= count; i++) {
    const row = gen.row();
    const spreadsheetRow = i + 1;
    if (i % badEvery === 0) {
      const kind = BAD_ROW_KINDS[bad++ % BAD_ROW_KINDS.length];
      const finding = spoil(row, kind, gen, rows);
      findings.push({ row: spreadsheetRow, ...finding });
    }
    rows.push(row);
  }
  const badRows = new Set(findings.map((f) => f.row));
  const good = rows.filter((_, i) => !badRows.has(i + 2)).map((r) => r.idNumber as string);
  return { csv: csvFile(rows), findings, good };
}

function spoil(
  row: CsvRow,
  kind: (typeof BAD_ROW_KINDS)[number],
  gen: ArrivalRows,
  earlier: CsvRow[],
): { field: string; code: string } {
  switch (kind) {
    case 'bad check digit':
      row.idNumber = gen.badCheckDigit();
      return { field: 'idNumber', code: 'ID_NUMBER_CHECK_DIGIT' };
    case 'impossible birth date':
      row.idNumber = gen.impossibleBirthDate();
      return { field: 'idNumber', code: 'ID_NUMBER_BIRTH_DATE' };
    case 'missing name':
      delete row.name;
      return { field: 'name', code: 'INVALID' };
    case 'bad date':
      row.arrivedOn = '2025-02-30';
      return { field: 'arrivedOn', code: 'INVALID' };
    case 'unknown marital status':
      row.maritalStatus = 'engaged';
      return { field: 'maritalStatus', code: 'INVALID' };
    case 'same person as an earlier row':
      // the earlier row is a good one: the rows before a bad one at a multiple of badEvery are good
      row.idNumber = earlier[earlier.length - 1].idNumber;
      return { field: 'idNumber', code: 'DUPLICATE_IN_FILE' };
  }
}

export interface ImportStatusView {
  id: string;
  status: 'parsing' | 'committing' | 'done' | 'failed';
  rowsRead: number;
  rowsValid: number;
  rowsInvalid: number;
  rowsCommitted: number;
  rowsDuplicate: number;
  rowsRefused: number;
  findings: number;
  progress: number;
  failure: { code: string; detail: string } | null;
  [field: string]: unknown;
}

/**
 * One request on a connection of its own: a pooled one may be closed by the
 * node's keep-alive timeout just as it is used again (EPIPE, ECONNRESET) —
 * likely when a test polls a busy node for minutes.
 */
function send<T>(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: string | Buffer,
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a campaign file as the body (text/csv unless told otherwise) with a token of `role`. */
export function uploadCsv(
  node: ReachableNode,
  campaignId: string,
  body: string | Buffer,
  options: { role?: Role; contentType?: string; token?: string | null } = {},
): Promise<{ status: number; body: ImportStatusView & { code?: string } }> {
  const token =
    options.token === undefined ? node.tokens[options.role ?? 'coordinator'] : options.token;
  return send(
    `${node.url}/campaigns/${campaignId}/imports`,
    'POST',
    {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      'content-type': options.contentType ?? 'text/csv',
      'content-length': Buffer.byteLength(body),
    },
    body,
  );
}

/** GET as a coordinator (or `role`). */
export function getJson<T = Record<string, unknown>>(
  node: ReachableNode,
  path: string,
  role: Role = 'coordinator',
): Promise<{ status: number; body: T }> {
  return send<T>(`${node.url}${path}`, 'GET', { authorization: `Bearer ${node.tokens[role]}` });
}

/** Polls an import until it is done or failed. */
export async function importSettles(
  node: ReachableNode,
  id: string,
  timeoutMs = 60000,
): Promise<ImportStatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getJson<ImportStatusView>(node, `/imports/${id}`);
    if (status !== 200) throw new Error(`GET /imports/${id} → ${status} ${JSON.stringify(body)}`);
    if (body.status === 'done' || body.status === 'failed') return body;
    if (Date.now() > deadline) {
      throw new Error(`import ${id} still ${body.status} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
