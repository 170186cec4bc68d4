/**
 * Fuzz from the node's own OpenAPI document, against the built city node as
 * a process: no answer is a 5xx, every answer to a refused request is
 * problem+json with a documented code, a refused request changes no table,
 * and the process is alive at the end. FUZZ_REQUESTS sets the count (CI
 * 2,000; `npm run fuzz` 20,000), FUZZ_SEED the seed.
 */
import { request as httpRequest } from 'node:http';
import { ROLES } from '@yipanqi/http-api';
import {
  ApiFuzzer,
  documentedProblemCodes,
  FuzzRequest,
  OpenApiDocument,
  tableDigests,
} from '../support/api-fuzz';
import { NodeProcess, startProcessNetwork, ProcessNetwork } from '../support/node-process';

const HUIZHOU = '441300';
const COUNT = Number(process.env.FUZZ_REQUESTS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(url: string, r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${r.path}`,
      {
        method: r.method,
        headers: { ...r.headers, ...(r.body ? { 'content-length': r.body.length } : {}) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (p: Buffer) => parts.push(p));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/**
 * Sends the fuzzer's requests to one app; returns one example per kind of
 * failure (a missing code fails hundreds of requests alike) and the statuses.
 */
async function fuzz(
  url: string,
  tokens: Record<string, string>,
  digest: () => Promise<string>,
): Promise<{ failures: Record<string, string>; sent: number; statuses: Set<number> }> {
  const doc = (await (await fetch(`${url}/api/docs-json`)).json()) as OpenApiDocument;
  const fuzzer = new ApiFuzzer(doc, SEED, tokens);
  const codes = documentedProblemCodes();
  const failures = new Map<string, string>();
  const fail = (kind: string, example: string) => {
    if (!failures.has(kind)) failures.set(kind, example);
  };
  let before = await digest();
  let sent = 0;
  const statuses = new Set<number>();
  for (const r of fuzzer.requests(COUNT)) {
    const answer = await send(url, r);
    sent++;
    statuses.add(answer.status);
    const where = `${r.what} (${r.method} ${r.path.slice(0, 120)}) → ${answer.status}`;
    if (r.expected && !r.expected.includes(answer.status)) {
      fail(`${r.what} answered ${answer.status}, not ${r.expected.join(' or ')}`, where);
    }
    if (answer.status >= 500) fail(`${answer.status} ${r.what}`, answer.body.slice(0, 300));
    if (answer.status >= 400) {
      let code: unknown;
      try {
        code = (JSON.parse(answer.body) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      if (!answer.contentType.startsWith('application/problem+json')) {
        fail(`answered ${answer.contentType}`, where);
      } else if (typeof code !== 'string' || !codes.has(code)) {
        fail(`code ${String(code)} is not in docs/api-errors.md`, where);
      }
      if (/\n\s+at /.test(answer.body)) fail(`a stack trace`, where);
    }
    if (r.mutating) {
      const after = await digest();
      if (answer.status >= 400 && after !== before) {
        fail(`a refused ${r.what} changed the tables`, where);
      }
      before = after;
    }
  }
  return { failures: Object.fromEntries(failures), sent, statuses };
}

describe(`API fuzz (${COUNT} requests per app, seed ${SEED})`, () => {
  let net: ProcessNetwork;
  let node: NodeProcess;

  beforeAll(async () => {
    net = await startProcessNetwork([HUIZHOU]);
    node = net.nodes[HUIZHOU];
    await node.start();
  });
  afterAll(() => net.stop());

  it('city node: every hostile request gets a documented problem and changes nothing', async () => {
    const tokens = Object.fromEntries(ROLES.map((role) => [role, node.tokens[role]]));
    const digest = async () => JSON.stringify(await tableDigests((sql) => node.query(sql)));
    const { failures, sent, statuses } = await fuzz(node.url, tokens, digest);
    expect(failures).toEqual({});
    expect(sent).toBe(COUNT);
    expect([...statuses].every((s) => s < 500)).toBe(true);
    // the process is alive and still serves
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    expect(node.running).toBe(true);
  });

  it('coordinator, public registration included: the same', async () => {
    const { coordinator } = net;
    const digest = async () =>
      JSON.stringify(await tableDigests((sql) => coordinator.db.query(sql)));
    const { failures, sent } = await fuzz(coordinator.url, coordinator.tokens, digest);
    expect(failures).toEqual({});
    expect(sent).toBe(COUNT);
    expect((await fetch(`${coordinator.url}/health`)).status).toBe(200);
  });
});
