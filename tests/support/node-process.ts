import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadOrCreateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import { credentialsDirOf, kafkaSettingsFromEnv, nodePrincipal } from '@yipanqi/kafka-access';
import { Role, ROLES } from '@yipanqi/http-api';
import { startTestCoordinator, TestCoordinator } from './city-nodes';
import { testKafka, uniqueName } from './kafka';

/** The built city node (tests/support/global-setup.js rebuilds it when the sources are newer). */
export const CITY_NODE_MAIN = resolve(
  __dirname,
  '../../dist/apps/city-node/apps/city-node/src/main.js',
);

/** How much of each output stream a NodeProcess keeps (its log lines). */
const OUTPUT_CAP = 4 * 1024 * 1024;

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * A city node running as a process of its own, so that a test can SIGKILL it
 * and start it again on the same data folder, SQLite file and port.
 */
export class NodeProcess {
  readonly tokens = {} as Record<Role, string>;
  private child: ChildProcess | undefined;
  private exited: Promise<NodeJS.Signals | number | null> | undefined;
  private output = '';
  private stdoutText = '';
  private stderrText = '';

  constructor(
    readonly code: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    /** tokens issued already in the node's database (another replica of it); else the CLI issues them */
    tokens?: Record<Role, string>,
  ) {
    if (tokens) {
      Object.assign(this.tokens, tokens);
      return;
    }
    // the node's own CLI issues the tokens, as staff would
    for (const role of ROLES) {
      this.tokens[role] = execFileSync(
        process.execPath,
        [CITY_NODE_MAIN, 'issue-token', '--role', role, '--label', `test ${role}`],
        { env: this.env, encoding: 'utf8' },
      ).trim();
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** the running process's id (benchmarks sample its memory) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  bearer(role: Role): string {
    return `Bearer ${this.tokens[role]}`;
  }

  /** Starts the process (with extra environment, e.g. a crash point) and waits until it answers. */
  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    if (this.child) throw new Error(`node ${this.code} is already running`);
    const child = spawn(process.execPath, [CITY_NODE_MAIN], {
      env: { ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // each stream whole from the first start on (capped), for tests of what the node prints
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutText = (this.stdoutText + chunk.toString()).slice(0, OUTPUT_CAP);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString()).slice(0, OUTPUT_CAP);
    });
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        this.child = undefined;
        done(signal ?? code);
      });
    });
    // after a SIGKILL the new consumer waits out the dead one's Kafka session before the API listens
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`node ${this.code} exited on start:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`node ${this.code} did not answer within 60 s:\n${this.output}`);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Waits for the process to end by itself (e.g. at a crash point); returns its signal or code. */
  async exit(): Promise<NodeJS.Signals | number | null> {
    if (!this.exited) throw new Error(`node ${this.code} was never started`);
    return this.exited;
  }

  /** SIGKILL: no shutdown hooks, no flushing — a power cut as far as the node can tell. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exit();
  }

  /** Reads the node's SQLite file (read-only; WAL lets it run beside the node's own writes). */
  query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(join(this.dataDir, 'node.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  count(sql: string, ...params: unknown[]): number {
    return this.query<{ n: number }>(sql, ...params)[0].n;
  }

  /** The last output lines, for a failing test's message. */
  get log(): string {
    return this.output;
  }

  /** What the node wrote to its stdout (a pipe, not a terminal), from its first start. */
  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }
}

export interface ProcessNetwork {
  topicPrefix: string;
  nodes: Record<string, NodeProcess>;
  /** runs in the test's process; its directory lists every node */
  coordinator: TestCoordinator;
  stop(): Promise<void>;
}

/** What a city node process of a test network needs: who it is, where its data lives, whom to trust. */
export function nodeProcessEnv(
  code: string,
  dir: string,
  port: number,
  coordinator: TestCoordinator,
  topicPrefix: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_CODE: code,
    DATA_DIR: join(dir, code),
    COORDINATOR_KEY: coordinator.publicKey,
    HTTP_PORT: String(port),
    TOPIC_PREFIX: topicPrefix,
    KAFKA_BROKERS: kafkaSettingsFromEnv().brokers.join(','),
    KAFKA_CREDENTIALS_DIR: credentialsDirOf(
      coordinator.credentialsRoot,
      nodePrincipal(code, topicPrefix),
    ),
  };
}

/**
 * City nodes as child processes on SQLite, under a topic prefix of their own,
 * with a coordinator (in this process) whose directory lists them all.
 */
export async function startProcessNetwork(
  codes: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'yipanqi-proc-'));
  const topicPrefix = uniqueName('proc').replace(/\./g, '-');
  const keys: Record<string, NodeKeys> = {};
  for (const code of codes) keys[code] = loadOrCreateNodeKeys(join(dir, code, 'keys'));
  const coordinator = await startTestCoordinator(dir, topicPrefix, keys);
  const nodes: Record<string, NodeProcess> = {};
  for (const code of codes) {
    const port = await freePort();
    nodes[code] = new NodeProcess(code, join(dir, code), port, {
      ...nodeProcessEnv(code, dir, port, coordinator, topicPrefix),
      ...env,
    });
  }
  return {
    topicPrefix,
    nodes,
    coordinator,
    async stop() {
      for (const node of Object.values(nodes)) await node.kill();
      await coordinator.stop();
    },
  };
}

export async function sendNotices(
  node: NodeProcess,
  to: string,
  count: number,
  concurrency = 8,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${node.url}/notices`, {
        method: 'POST',
        headers: { authorization: node.bearer('coordinator'), 'content-type': 'application/json' },
        body: JSON.stringify({
          to,
          category: 'policy',
          domain: 'publicity',
          title: `通报 ${i}`,
          text: '宣传教育活动安排',
        }),
      });
      if (res.status !== 202) throw new Error(`POST /notices → ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** What both ends must agree on once the dust settles: each notice applied once, receipted once, chains equal. */
export function expectExactlyOnce(sender: NodeProcess, receiver: NodeProcess, count: number): void {
  const from = sender.code;
  const to = receiver.code;
  const received = receiver.count(
    `SELECT COUNT(*) n FROM notice WHERE direction = 'received' AND peer = ?`,
    from,
  );
  const distinct = receiver.count(
    `SELECT COUNT(DISTINCT id) n FROM notice WHERE direction = 'received' AND peer = ?`,
    from,
  );
  expect({ received, distinct }).toEqual({ received: count, distinct: count });
  expect(
    receiver.count(
      `SELECT COUNT(*) n FROM exchange_inbox WHERE outcome = 'applied' AND sender = ? AND type = 'notice'`,
      from,
    ),
  ).toBe(count);
  expect(receiver.count(`SELECT COUNT(*) n FROM exchange_dead_letter`)).toBe(0);
  // one receipt per applied message (notices and the agreement's): a second
  // application would have queued a second receipt
  expect(
    receiver.count(
      `SELECT COUNT(*) n FROM exchange_outbox WHERE type = 'receipt' AND peer = ?`,
      from,
    ),
  ).toBe(
    receiver.count(
      `SELECT COUNT(*) n FROM exchange_inbox
       WHERE sender = ? AND outcome = 'applied' AND type NOT IN ('receipt', 'rejection')`,
      from,
    ),
  );
  expect(
    sender.count(
      `SELECT COUNT(*) n FROM exchange_outbox WHERE answer = 'receipt' AND peer = ? AND type = 'notice'`,
      to,
    ),
  ).toBe(count);
  expectIntactStream(sender, receiver);
}

/**
 * Both ends of the `from → to` stream hold the same last seq and hash, and
 * every envelope the sender queued for it has its place in it, without gaps.
 */
export function expectIntactStream(from: NodeProcess, to: NodeProcess): void {
  const [out] = from.query<{ last_seq: number; last_hash: string }>(
    `SELECT last_seq, last_hash FROM exchange_stream WHERE peer = ? AND direction = 'out'`,
    to.code,
  );
  const [inn] = to.query<{ last_seq: number; last_hash: string }>(
    `SELECT last_seq, last_hash FROM exchange_stream WHERE peer = ? AND direction = 'in'`,
    from.code,
  );
  expect(inn).toEqual(out);
  expect(out.last_seq).toBe(
    from.count(`SELECT COUNT(*) n FROM exchange_outbox WHERE peer = ?`, to.code),
  );
}

export async function recordsOnTopic(topic: string): Promise<number> {
  const admin = testKafka('crash-test').admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Notices of `sender` that have their receipt. */
export const receiptsAtSender = (sender: NodeProcess) =>
  sender.count(
    `SELECT COUNT(*) n FROM exchange_outbox WHERE answer = 'receipt' AND type = 'notice'`,
  );

/** Nothing waiting in either node's outbox and every message answered: a quiet moment. */
export const settled = (...nodes: NodeProcess[]) =>
  nodes.every(
    (n) =>
      n.count(
        `SELECT COUNT(*) n FROM exchange_outbox
         WHERE sent_at IS NULL OR (answer IS NULL AND type NOT IN ('receipt', 'rejection'))`,
      ) === 0,
  );
