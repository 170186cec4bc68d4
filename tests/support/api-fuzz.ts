import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Hostile requests generated from an app's own OpenAPI document: for every
 * operation, wrong types, missing and unknown fields, boundary, huge and
 * deeply nested values, bad encodings and bad tokens. Seeded, so a failing
 * run can be repeated exactly.
 */

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  $ref?: string;
  enum?: unknown[];
  maxLength?: number;
  minLength?: number;
  maximum?: number;
  minimum?: number;
}

interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  'x-roles'?: string[];
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** what the case tries, for a failing test's message */
  what: string;
  mutating: boolean;
  /** the statuses the case must get, when the case decides it (a token the route refuses) */
  expected?: number[];
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRONG_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0.5,
  '',
  ' ',
  'x',
  '\u0000',
  '\u202E',
  '\uD800',
  '../../etc/passwd',
  '1; DROP TABLE migrant',
  '=cmd|calc',
  '９９９',
  [],
  [1, 2, 3],
  {},
  { nested: { deeper: true } },
  '2026-13-45',
  '99999-01-01T00:00:00Z',
];

/** A lone surrogate has no UTF-8 form: it goes as the bytes of one (invalid UTF-8), which is hostile too. */
function queryValue(value: unknown): string {
  try {
    return encodeURIComponent(String(value));
  } catch {
    return '%ED%A0%80';
  }
}

const PATH_VALUES = [
  'x',
  '0',
  '-1',
  '99999999999999999999',
  '%00',
  '..%2F..',
  'a'.repeat(500),
  '1e3',
  'null',
];

export class ApiFuzzer {
  private readonly random: () => number;
  private readonly operations: { method: string; path: string; op: Operation }[] = [];

  constructor(
    private readonly doc: OpenApiDocument,
    seed: number,
    /** bearer tokens by role; a case picks one the route allows, one it does not, or garbage */
    private readonly tokens: Record<string, string>,
  ) {
    this.random = seededRandom(seed);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
          this.operations.push({ method, path, op });
        }
      }
    }
  }

  /** Every operation once per kind of case, then random cases up to `count` in all. */
  *requests(count: number): Generator<FuzzRequest> {
    let n = 0;
    for (const o of this.operations) {
      for (const kind of KINDS) {
        if (n++ >= count) return;
        yield this.make(o, kind);
      }
    }
    while (n++ < count) {
      const o = this.operations[Math.floor(this.random() * this.operations.length)];
      yield this.make(o, KINDS[Math.floor(this.random() * KINDS.length)]);
    }
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  private make(o: { method: string; path: string; op: Operation }, kind: Kind): FuzzRequest {
    const roles = o.op['x-roles'] ?? [];
    const allowed = roles.length > 0 ? this.tokens[this.pick(roles)] : undefined;
    const headers: Record<string, string> = {};
    if (allowed) headers.authorization = `Bearer ${allowed}`;
    const path = this.fillPath(o.path, kind === 'path');
    const query = this.query(o.op, kind === 'query');
    const schema = this.bodySchema(o.op);
    const request: FuzzRequest = {
      method: o.method.toUpperCase(),
      path: path + query,
      headers,
      what: `${kind} ${o.method.toUpperCase()} ${o.path}`,
      mutating: o.method !== 'get',
    };
    const json = (value: unknown) => {
      headers['content-type'] = 'application/json';
      request.body = Buffer.from(JSON.stringify(value));
    };
    switch (kind) {
      case 'no-token':
        delete headers.authorization;
        if (roles.length > 0) request.expected = [401];
        if (schema) json(this.body(schema, 'wrong-type'));
        break;
      case 'bad-token':
        headers.authorization = this.pick([
          'Bearer x',
          'Bearer ' + 'A'.repeat(43),
          'Basic dXNlcjpwYXNz',
          'Bearer',
          `Bearer ${allowed ?? ''}x`,
        ]);
        if (roles.length > 0) request.expected = [401];
        if (schema) json(this.body(schema, 'wrong-type'));
        break;
      case 'wrong-role': {
        const other = Object.keys(this.tokens).find((r) => !roles.includes(r));
        if (other && roles.length > 0) {
          headers.authorization = `Bearer ${this.tokens[other]}`;
          request.expected = [403];
        }
        if (schema) json(this.body(schema, 'wrong-type'));
        break;
      }
      case 'wrong-type':
      case 'missing':
      case 'unknown-field':
      case 'boundary':
        json(this.body(schema ?? {}, kind));
        break;
      case 'huge':
        json({ blob: 'x'.repeat(300 * 1024) });
        break;
      case 'deep': {
        let value: unknown = 1;
        for (let i = 0; i < 40 + Math.floor(this.random() * 2000); i++) value = { a: value };
        json(value);
        break;
      }
      case 'duplicate-keys':
        headers['content-type'] = 'application/json';
        request.body = Buffer.from('{"a":1,"a":2,"__proto__":{"admin":true}}');
        break;
      case 'encoding': {
        const variant = this.pick(['gzip', 'latin1', 'text', 'form', 'garbage', 'utf16']);
        const raw = Buffer.from(JSON.stringify(this.body(schema ?? {}, 'wrong-type')));
        if (variant === 'gzip') {
          headers['content-type'] = 'application/json';
          headers['content-encoding'] = 'gzip';
          request.body = gzipSync(raw);
        } else if (variant === 'latin1' || variant === 'utf16') {
          headers['content-type'] =
            `application/json; charset=${variant === 'latin1' ? 'latin1' : 'utf-16'}`;
          request.body = raw;
        } else if (variant === 'text') {
          headers['content-type'] = 'text/plain';
          request.body = raw;
        } else if (variant === 'form') {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          request.body = Buffer.from('a=1&b=2');
        } else {
          headers['content-type'] = 'application/json';
          request.body = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x22]);
        }
        break;
      }
      case 'path':
      case 'query':
        if (schema) json(this.body(schema, 'wrong-type'));
        break;
    }
    return request;
  }

  private fillPath(path: string, hostile: boolean): string {
    return path.replace(/\{(\w+)\}/g, () =>
      hostile ? this.pick(PATH_VALUES) : '00000000-0000-7000-8000-000000000000',
    );
  }

  private query(op: Operation, hostile: boolean): string {
    const params = (op.parameters ?? []).filter((p) => p.in === 'query');
    if (!hostile || params.length === 0) return '';
    const parts = params.map(
      (p) => `${encodeURIComponent(p.name)}=${queryValue(this.pick(WRONG_VALUES))}`,
    );
    if (this.random() < 0.3) parts.push('unknown=1');
    if (this.random() < 0.2) parts.push(`${params[0].name}=1&${params[0].name}=2`);
    return `?${parts.join('&')}`;
  }

  private bodySchema(op: Operation): Schema | undefined {
    const schema = op.requestBody?.content?.['application/json']?.schema;
    return schema && this.resolve(schema);
  }

  private resolve(schema: Schema): Schema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.split('/').pop() as string;
    return this.doc.components?.schemas?.[name] ?? {};
  }

  /** A body that is wrong in the way `kind` says, and plausible elsewhere. */
  private body(schema: Schema, kind: Kind): Record<string, unknown> {
    const props = Object.entries(schema.properties ?? {});
    const body: Record<string, unknown> = {};
    for (const [name, prop] of props) body[name] = this.plausible(this.resolve(prop));
    if (props.length === 0) body.anything = this.pick(WRONG_VALUES);
    if (kind === 'wrong-type' && props.length > 0) {
      const [name] = this.pick(props);
      body[name] = this.pick(WRONG_VALUES);
    }
    if (kind === 'missing') {
      for (const name of schema.required ?? []) if (this.random() < 0.7) delete body[name];
      if ((schema.required ?? []).length === 0) body.surplus = 1;
    }
    if (kind === 'unknown-field') body[this.pick(['isAdmin', 'id', 'constructor', 'x'])] = 1;
    if (kind === 'boundary' && props.length > 0) {
      const [name, prop] = this.pick(props);
      const p = this.resolve(prop);
      body[name] =
        p.type === 'string'
          ? 'x'.repeat((p.maxLength ?? 1000) + 1)
          : p.type === 'integer' || p.type === 'number'
            ? (p.maximum ?? 2 ** 53) + 1
            : this.pick(WRONG_VALUES);
    }
    return body;
  }

  private plausible(schema: Schema): unknown {
    if (schema.enum) return this.pick(schema.enum);
    switch (schema.type) {
      case 'string':
        return this.pick(['x', '441300', '2026-01-01', '00000000-0000-7000-8000-000000000000']);
      case 'integer':
      case 'number':
        return this.pick([0, 1, 5]);
      case 'boolean':
        return true;
      case 'array':
        return [];
      default:
        return {};
    }
  }
}

const KINDS = [
  'no-token',
  'bad-token',
  'wrong-role',
  'wrong-type',
  'missing',
  'unknown-field',
  'boundary',
  'huge',
  'deep',
  'duplicate-keys',
  'encoding',
  'path',
  'query',
] as const;
type Kind = (typeof KINDS)[number];

/** Every problem code docs/api-errors.md documents (its tables' first column). */
export function documentedProblemCodes(): Set<string> {
  const text = readFileSync(resolve(__dirname, '../../docs/api-errors.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]));
}

/** A digest of every row of every table: equal digests, no state change. */
export async function tableDigests(
  query: (sql: string) => unknown[] | Promise<unknown[]>,
): Promise<Record<string, string>> {
  const tables = (await query(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  )) as { name: string }[];
  const digests: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await query(`SELECT * FROM "${name}" ORDER BY 1`);
    digests[name] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  }
  return digests;
}
