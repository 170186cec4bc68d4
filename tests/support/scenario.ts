import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { Envelope } from '@yipanqi/contracts';
import { InboxMessage, OutboxMessage } from '@yipanqi/exchange';
import type { Role } from '@yipanqi/http-api';
import { eventually, TestNode } from './city-nodes';

export interface Request {
  /** `null`: no Authorization header at all */
  role?: Role | null;
  /** X-Access-Purpose, percent-encoded as clients send Chinese */
  purpose?: string;
  body?: unknown;
  /** sent as is with content-type JSON (malformed JSON) */
  rawBody?: string;
}

export interface Response<T> {
  status: number;
  type: string | undefined;
  body: T;
}

/**
 * One request to a node's API on a connection of its own (supertest): the
 * nodes run in the test process, and a kept-alive socket that a busy server
 * closes would fail the next request with ECONNRESET.
 */
export async function send<T = Record<string, unknown>>(
  node: TestNode,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  options: Request = {},
): Promise<Response<T>> {
  const agent = request(node.url);
  const req =
    method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : agent.patch(path);
  const role = options.role === undefined ? 'coordinator' : options.role;
  if (role) req.set('Authorization', `Bearer ${node.tokens[role]}`);
  if (options.purpose) req.set('X-Access-Purpose', encodeURIComponent(options.purpose));
  if (options.rawBody !== undefined) {
    req.set('Content-Type', 'application/json').send(options.rawBody);
  } else if (options.body !== undefined) req.send(options.body as object);
  const res = await req;
  return {
    status: res.status,
    type: res.get('content-type'),
    body: (res.text ? JSON.parse(res.text) : undefined) as T,
  };
}

/** Polls `probe` until it returns something, and returns that. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30000,
): Promise<T> {
  let found: T | undefined;
  await eventually(
    async () => {
      found = await probe();
      return found !== undefined;
    },
    timeoutMs,
    what,
  );
  return found as T;
}

const isAnswer = (type: string) => type === 'receipt' || type === 'rejection';

/**
 * Until nothing travels between `nodes`: every outbox row published, every
 * message answered, and every receipt or rejection arrived at its addressee.
 */
export async function quiet(nodes: TestNode[]): Promise<void> {
  await eventually(
    async () => {
      for (const node of nodes) {
        for (const row of await node.db.getRepository(OutboxMessage).find()) {
          if (row.sentAt === null || (row.answer === null && !isAnswer(row.type))) return false;
        }
      }
      for (const from of nodes) {
        for (const to of nodes) {
          if (from === to) continue;
          const sent = await from.db.getRepository(OutboxMessage).countBy({ peer: to.code });
          const arrived = await to.db.getRepository(InboxMessage).countBy({ from: from.code });
          if (arrived < sent) return false;
        }
      }
      return true;
    },
    60000,
    'the exchange between the nodes to settle',
  );
}

/**
 * Every way the exchange between `nodes` fell short of "every message got
 * exactly one receipt, and nothing was rejected", one line each (an empty
 * list when it did not). Checks both ends: the sender's outbox `answer`
 * columns, the recipient's inbox outcome and the answers in its outbox.
 */
export async function answerProblems(nodes: TestNode[]): Promise<string[]> {
  const outbox = new Map<string, OutboxMessage[]>();
  const inbox = new Map<string, InboxMessage[]>();
  for (const node of nodes) {
    outbox.set(node.code, await node.db.getRepository(OutboxMessage).find());
    inbox.set(node.code, await node.db.getRepository(InboxMessage).find());
  }
  const answered = (row: OutboxMessage) =>
    (JSON.parse(row.envelope) as Envelope).payload.messageId as string;
  const problems: string[] = [];
  for (const node of nodes) {
    for (const row of outbox.get(node.code) ?? []) {
      const what = `${node.code} → ${row.peer} ${row.type} ${row.id}`;
      const partnerOutbox = outbox.get(row.peer);
      const partnerInbox = inbox.get(row.peer);
      if (!partnerOutbox || !partnerInbox) {
        problems.push(`${what}: sent to a node outside the network`);
        continue;
      }
      if (!partnerInbox.some((m) => m.id === row.id)) {
        problems.push(`${what}: never arrived`);
        continue;
      }
      if (isAnswer(row.type)) continue;
      const answers = partnerOutbox.filter((a) => isAnswer(a.type) && answered(a) === row.id);
      if (answers.length !== 1) problems.push(`${what}: ${answers.length} answers`);
      if (row.answer !== 'receipt') {
        problems.push(`${what}: answer ${row.answer ?? 'none'} ${row.answerReason ?? ''}`.trim());
      } else if (answers.length === 1 && answers[0].id !== row.answerId) {
        problems.push(`${what}: the outbox names another answer than the partner sent`);
      }
      const applied = partnerInbox.find((m) => m.id === row.id);
      if (applied?.outcome !== 'applied') problems.push(`${what}: ${applied?.outcome} at arrival`);
    }
  }
  for (const node of nodes) {
    const received = (inbox.get(node.code) ?? []).filter((m) => !isAnswer(m.type)).length;
    const answers = (outbox.get(node.code) ?? []).filter((m) => isAnswer(m.type)).length;
    if (received !== answers) {
      problems.push(`${node.code} received ${received} messages and answered ${answers}`);
    }
  }
  return problems;
}

/**
 * Tables a refused request could touch: the flows', the exchange's, the
 * agreements' and the access log. Each as its row count and a digest of its
 * rows, so that an update shows as well as an insert.
 */
const TABLES = [
  'migrant',
  'certificate',
  'certificate_verification',
  'certificate_number_sequence',
  'task',
  'task_step',
  'service_report',
  'benefit_entitlement',
  'notice',
  'agreement',
  'agreement_version',
  'agreement_event',
  'exchange_outbox',
  'exchange_inbox',
  'exchange_stream',
  'exchange_rejection',
  'exchange_dead_letter',
  'personal_data_access',
];

export async function holdings(node: TestNode): Promise<Record<string, string>> {
  const held: Record<string, string> = {};
  for (const table of TABLES) {
    const rows = (await node.db.query<unknown[]>(`SELECT * FROM ${table}`))
      .map((row) => JSON.stringify(row))
      .sort();
    const digest = createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16);
    held[table] = `${rows.length} rows ${digest}`;
  }
  return held;
}

/**
 * The bytes of a node's SQLite database as they lie on disk: the file and its
 * write-ahead log (recent pages live there until a checkpoint).
 */
export function sqliteBytes(node: TestNode): Buffer {
  const file = node.db.options.database as string;
  return Buffer.concat(
    [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
  );
}

/** How a text could lie in the file: UTF-8, or JSON-escaped (\uXXXX) for non-ASCII. */
export function encodingsOf(text: string): Buffer[] {
  const escaped = text.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return [...new Set([text, escaped])].map((t) => Buffer.from(t, 'utf8'));
}
