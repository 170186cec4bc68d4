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

/** Tables a refused request may still touch: none today. Reads are access-logged only when served. */
const MAY_CHANGE = new Set<string>();

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(node: NodeProcess, r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${node.url}${r.path}`,
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

describe(`API fuzz (${COUNT} requests, seed ${SEED})`, () => {
  let net: ProcessNetwork;
  let node: NodeProcess;

  beforeAll(async () => {
    net = await startProcessNetwork([HUIZHOU]);
    node = net.nodes[HUIZHOU];
    await node.start();
  });
  afterAll(() => net.stop());

  it('answers every hostile request with a documented problem and changes nothing', async () => {
    const doc = (await (await fetch(`${node.url}/api/docs-json`)).json()) as OpenApiDocument;
    const tokens = Object.fromEntries(ROLES.map((role) => [role, node.tokens[role]]));
    const fuzzer = new ApiFuzzer(doc, SEED, tokens);
    const codes = documentedProblemCodes();
    // one example per kind of failure: a missing code fails hundreds of requests alike
    const failures = new Map<string, string>();
    const fail = (kind: string, example: string) => {
      if (!failures.has(kind)) failures.set(kind, example);
    };
    const digest = () => JSON.stringify(tableDigests((sql) => node.query(sql), MAY_CHANGE));
    let before = digest();
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const r of fuzzer.requests(COUNT)) {
      const answer = await send(node, r);
      sent++;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
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
        const after = digest();
        if (answer.status >= 400 && after !== before) {
          fail(`a refused ${r.what} changed the node's tables`, where);
        }
        before = after;
      }
    }
    expect(Object.fromEntries(failures)).toEqual({});
    expect(sent).toBe(COUNT);
    // the process is alive and still serves
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    expect(node.running).toBe(true);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  });
});
