/**
 * Fault tests on a Kafka cluster of their own: three brokers started with
 * deploy/kafka/kafka.sh on ports of their own and a data folder of their own,
 * so that brokers can be SIGKILLed and restarted without touching the broker
 * every other test (and everyone else on the machine) uses. Helpers to read a
 * node's database whether it is a SQLite file or a PostgreSQL database shared
 * by replicas, and the exactly-once checks on either.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Admin, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { loadOrCreateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import { kafkaClient } from '@yipanqi/kafka-access';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  eventually,
  postgresUrl,
  startTestCoordinator,
  TestCoordinator,
} from './city-nodes';
import { operatorConnection, uniqueName } from './kafka';
import { freePort, NodeProcess, nodeProcessEnv } from './node-process';

const REPO = resolve(__dirname, '../..');
const KAFKA_SH = join(REPO, 'deploy/kafka/kafka.sh');

export interface FaultClusterSettings {
  /** first client port; broker i listens on port + i */
  port: number;
  controllerPort: number;
  dataDir: string;
  nodes: number;
}

/** A throw-away multi-broker cluster run by kafka.sh (never the shared one on 9092). */
export class FaultCluster {
  constructor(readonly settings: FaultClusterSettings) {
    const shared = resolve(REPO, '.local/kafka');
    if (settings.port === 9092 || resolve(settings.dataDir) === shared) {
      throw new Error('the fault cluster must not use the shared broker’s port or data folder');
    }
  }

  get brokers(): string[] {
    return Array.from(
      { length: this.settings.nodes },
      (_, i) => `127.0.0.1:${this.settings.port + i}`,
    );
  }

  /** Starts every node that is not running and returns once the whole cluster serves requests. */
  up(): Promise<string> {
    return this.script('up', '--nodes', String(this.settings.nodes));
  }

  /** SIGKILLs whatever still runs, then lets kafka.sh wipe the data folder. */
  async reset(): Promise<void> {
    await this.killAll();
    await this.script('reset');
  }

  /** The pid of broker `node` when its java process runs, else undefined. */
  pid(node: number): number | undefined {
    const file = join(this.settings.dataDir, `node-${node}`, 'broker.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 0 && isKafka(pid) ? pid : undefined;
  }

  /** SIGKILL of one broker's java process: a crash, no controlled shutdown. Waits until it is gone. */
  async kill(node: number): Promise<void> {
    const pid = this.pid(node);
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await eventually(() => !isKafka(pid), 30000, `broker ${node} (pid ${pid}) to die`);
  }

  async killAll(): Promise<void> {
    await Promise.all(Array.from({ length: this.settings.nodes }, (_, i) => this.kill(i)));
  }

  /** No broker of this cluster runs. */
  get down(): boolean {
    return Array.from({ length: this.settings.nodes }, (_, i) => this.pid(i)).every(
      (pid) => pid === undefined,
    );
  }

  kafka(clientId: string): Kafka {
    return kafkaClient({ ...operatorConnection(), brokers: this.brokers }, clientId);
  }

  async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka('fault-suite-admin').admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Leader and in-sync replicas of one partition, as the cluster's metadata tells them. */
  partition(topic: string, partition: number): Promise<{ leader: number; isr: number[] }> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics[0].partitions.find((p) => p.partitionId === partition);
      if (!found) throw new Error(`${topic} has no partition ${partition}`);
      return { leader: found.leader, isr: [...found.isr].sort() };
    });
  }

  private script(...args: string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_PORT: String(this.settings.port),
      KAFKA_CONTROLLER_PORT: String(this.settings.controllerPort),
      KAFKA_DATA_DIR: this.settings.dataDir,
    };
    delete env.KAFKA_NODES;
    // asynchronous: the coordinator of the test network runs in this process and must keep running
    return new Promise((done, fail) => {
      execFile('bash', [KAFKA_SH, ...args], { env, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) fail(new Error(`kafka.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else done(stdout.trim());
      });
    });
  }
}

function isKafka(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return false;
  }
}

/** A node's database as the checks read it: one SQLite file, or the PostgreSQL database of its replicas. */
export interface Ledger {
  code: string;
  query<T>(sql: string, ...params: (string | number)[]): Promise<T[]>;
  count(sql: string, ...params: (string | number)[]): Promise<number>;
  close(): Promise<void>;
}

export function sqliteLedger(node: NodeProcess): Ledger {
  return {
    code: node.code,
    query: <T>(sql: string, ...params: (string | number)[]) =>
      Promise.resolve(node.query<T>(sql, ...params)),
    count: (sql, ...params) => Promise.resolve(node.count(sql, ...params)),
    close: () => Promise.resolve(),
  };
}

/** `?` placeholders as in the SQLite checks; counts come back as numbers. */
export function postgresLedger(code: string, url: string): Ledger {
  const pool = new Pool({ connectionString: url, max: 2 });
  const query = async <T>(sql: string, ...params: (string | number)[]): Promise<T[]> => {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    const result = await pool.query(text, params);
    return result.rows as T[];
  };
  return {
    code,
    query,
    async count(sql, ...params) {
      const [row] = await query<{ n: string | number }>(sql, ...params);
      return Number(row.n);
    },
    close: () => pool.end(),
  };
}

/**
 * The notices of `sender` to `receiver`, once everything settled: each applied
 * once (N notice rows, N applied inbox rows, every seq once and none missing),
 * receipted once, nothing dead-lettered, and both ends of the stream holding
 * the same last seq and hash.
 */
export async function expectDeliveredExactlyOnce(
  sender: Ledger,
  receiver: Ledger,
  count: number,
): Promise<void> {
  const from = sender.code;
  const to = receiver.code;
  const notices = await receiver.query<{ rows: number | string; ids: number | string }>(
    `SELECT COUNT(*) AS rows, COUNT(DISTINCT id) AS ids FROM notice
      WHERE direction = 'received' AND peer = ?`,
    from,
  );
  expect(notices.map((r) => ({ rows: Number(r.rows), ids: Number(r.ids) }))).toEqual([
    { rows: count, ids: count },
  ]);
  expect(
    await receiver.count(
      `SELECT COUNT(*) AS n FROM exchange_inbox WHERE outcome = 'applied' AND sender = ? AND type = 'notice'`,
      from,
    ),
  ).toBe(count);
  // the whole stream in: every seq from 1 to the last exactly once, nothing refused
  const seqs = await receiver.query<{ rows: string | number; seqs: string | number; top: number }>(
    `SELECT COUNT(*) AS rows, COUNT(DISTINCT seq) AS seqs, MAX(seq) AS top FROM exchange_inbox
      WHERE sender = ?`,
    from,
  );
  const [{ rows, seqs: distinct, top }] = seqs;
  expect({ rows: Number(rows), distinct: Number(distinct) }).toEqual({
    rows: Number(top),
    distinct: Number(top),
  });
  expect(
    await receiver.count(`SELECT COUNT(*) AS n FROM exchange_inbox WHERE outcome <> 'applied'`),
  ).toBe(0);
  expect(await receiver.count(`SELECT COUNT(*) AS n FROM exchange_dead_letter`)).toBe(0);
  expect(await receiver.count(`SELECT COUNT(*) AS n FROM exchange_rejection`)).toBe(0);
  // one receipt per applied message: a second application would have queued a second one
  expect(
    await receiver.count(
      `SELECT COUNT(*) AS n FROM exchange_outbox WHERE type = 'receipt' AND peer = ?`,
      from,
    ),
  ).toBe(
    await receiver.count(
      `SELECT COUNT(*) AS n FROM exchange_inbox
        WHERE sender = ? AND outcome = 'applied' AND type NOT IN ('receipt', 'rejection')`,
      from,
    ),
  );
  expect(
    await sender.count(
      `SELECT COUNT(*) AS n FROM exchange_outbox WHERE answer = 'receipt' AND peer = ? AND type = 'notice'`,
      to,
    ),
  ).toBe(count);
  await expectEqualChains(sender, receiver);
  await expectEqualChains(receiver, sender);
}

/** Both ends of `from → to` hold the same last seq and hash, and it counts every envelope queued for it. */
export async function expectEqualChains(from: Ledger, to: Ledger): Promise<void> {
  const [out] = await from.query<{ last_seq: number; last_hash: string }>(
    `SELECT last_seq, last_hash FROM exchange_stream WHERE peer = ? AND direction = 'out'`,
    to.code,
  );
  const [inn] = await to.query<{ last_seq: number; last_hash: string }>(
    `SELECT last_seq, last_hash FROM exchange_stream WHERE peer = ? AND direction = 'in'`,
    from.code,
  );
  expect(inn).toEqual(out);
  expect(out.last_seq).toBe(
    await from.count(`SELECT COUNT(*) AS n FROM exchange_outbox WHERE peer = ?`, to.code),
  );
}

export interface FaultNetwork {
  topicPrefix: string;
  coordinator: TestCoordinator;
  sender: NodeProcess;
  /** one process per replica; several only on PostgreSQL */
  receivers: NodeProcess[];
  senderLedger: Ledger;
  receiverLedger: Ledger;
  /** every node process, for clean-up */
  processes: NodeProcess[];
  stop(): Promise<void>;
}

/**
 * A sender on SQLite and a receiver, each a process of its own, on the
 * brokers of process.env.KAFKA_BROKERS (the coordinator, in this process,
 * reads it too). With `receiverReplicas` > 1 the receiver runs as that many
 * processes on one PostgreSQL database, in one consumer group.
 */
export async function startFaultNetwork(
  senderCode: string,
  receiverCode: string,
  options: { receiverReplicas?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<FaultNetwork> {
  const replicas = options.receiverReplicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'yipanqi-faults-'));
  const topicPrefix = uniqueName('faults').replace(/\./g, '-');
  const keys: Record<string, NodeKeys> = {};
  for (const code of [senderCode, receiverCode]) {
    keys[code] = loadOrCreateNodeKeys(join(dir, code, 'keys'));
  }
  const coordinator = await startTestCoordinator(dir, topicPrefix, keys);
  let database: string | undefined;
  const processes: NodeProcess[] = [];
  const ledgers: Ledger[] = [];
  const stop = async () => {
    for (const node of processes) await node.kill();
    for (const ledger of ledgers) await ledger.close();
    await coordinator.stop();
    if (database) await dropPostgresDatabase(database);
  };
  try {
    const env = (code: string, port: number): NodeJS.ProcessEnv => ({
      ...nodeProcessEnv(code, dir, port, coordinator, topicPrefix),
      ...options.env,
    });
    const senderPort = await freePort();
    const sender = new NodeProcess(
      senderCode,
      join(dir, senderCode),
      senderPort,
      env(senderCode, senderPort),
    );
    processes.push(sender);
    const receivers: NodeProcess[] = [];
    let databaseUrl: string | undefined;
    if (replicas > 1) {
      database = `yipanqi_test_faults_${receiverCode}_${uniqueName('db').split('.').pop()}`;
      await createPostgresDatabase(database);
      databaseUrl = postgresUrl(database);
    }
    for (let i = 0; i < replicas; i++) {
      const port = await freePort();
      // replicas share the database, and so the tokens the first one's CLI issued
      const replica = new NodeProcess(
        receiverCode,
        join(dir, receiverCode),
        port,
        { ...env(receiverCode, port), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
        receivers[0]?.tokens,
      );
      receivers.push(replica);
      processes.push(replica);
    }
    const senderLedger = sqliteLedger(sender);
    const receiverLedger = databaseUrl
      ? postgresLedger(receiverCode, databaseUrl)
      : sqliteLedger(receivers[0]);
    ledgers.push(senderLedger, receiverLedger);
    return {
      topicPrefix,
      coordinator,
      sender,
      receivers,
      senderLedger,
      receiverLedger,
      processes,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
