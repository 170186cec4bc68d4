import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deadLetterTopic, directoryTopic, inboxTopic } from '@yipanqi/contracts';
import { exportPublicKeys, generateNodeKeys, loadOrCreateNodeKeys } from '@yipanqi/crypto';
import { checkDivision, firstEntry, signDirectoryEntry } from '@yipanqi/directory';
import {
  auditorPrincipal,
  credentialsDirOf,
  issueCredentials,
  KafkaConnection,
  kafkaClient,
  nodePrincipal,
  provisionNetwork,
} from '@yipanqi/kafka-access';
import { runAuditorCli } from '../../apps/auditor/src/cli';
import { AuditReport } from '../../apps/auditor/src/report/audit-report';
import { AuditorCryptoLimit, measureAuditorCryptoLimit } from './auditor-limit';
import { CityNodeProcess, cityNodeMain, freePort, issueToken, sleep } from './city-node-process';
import { kafkaBrokerPids, machineCpuSeconds, processCpuSeconds } from './proc-cpu';
import { NOTICE, noticeRequestBody, RECEIVER, SENDER } from './sample';
import { distribution, Distribution } from './stats';

export interface E2eOptions {
  repo: string;
  /** the operator's connection: the harness provisions the run's topics and ACLs */
  kafka: KafkaConnection;
  /** the CA that issues the nodes' and the auditor's certificates (KAFKA_PKI_DIR) */
  pkiDir: string;
  topicPrefix: string;
  /** temporary folder of this run: node data (SQLite, keys) */
  workDir: string;
  /** kept after the run: node logs and CPU profiles */
  outDir: string;
  messages: number;
  warmup: number;
  concurrency: number;
  /** compiled cpu-profile-agent.js; profiles are taken only when set */
  profileAgent?: string;
  log: (line: string) => void;
}

export interface CpuShare {
  sender: number | null;
  receiver: number | null;
  broker: number | null;
  harness: number;
  /** busy CPU of the machine that none of the above used (other work on the machine) */
  other: number | null;
  machineBusy: number | null;
  /** wall seconds × cores: what the machine could have given */
  available: number;
}

export interface E2eResult {
  messages: number;
  warmup: number;
  concurrency: number;
  auth: 'bearer token from issue-token';
  seconds: number;
  msgsPerSecond: number;
  /** POST /notices sent → the sender's outbox row has its receipt (observed by polling) */
  latencyMs: Distribution;
  /** POST /notices round trip (202 with the id) */
  apiResponseMs: Distribution;
  stagesMs: {
    /** POST sent → outbox row created (exchange_outbox.created_at) */
    postToOutbox: Distribution;
    /** outbox row created → published by the relay (sent_at) */
    outboxToPublished: Distribution;
    /** published → receipt applied at the sender (observed by polling) */
    publishedToReceipt: Distribution;
  };
  pollIntervalMs: number;
  rejections: number;
  cpuSeconds: CpuShare;
  /** `auditor replay` of the run's whole log (both inboxes and the directory), after the run */
  auditorReplay: AuditorReplayResult;
  profiles?: { sender: string; receiver: string };
}

export interface AuditorReplayResult {
  /** inbox records read, verified and chained */
  records: number;
  seconds: number;
  recordsPerSecond: number;
  verdict: string;
  /** the auditor's own crypto limit, measured right before the replay */
  cryptoLimit: AuditorCryptoLimit;
}

const POLL_MS = 20;
const STALL_MS = 60000;

/** One outbox row as the watcher reads it from the sender's database. */
interface OutboxRow {
  position: number;
  id: string;
  answer: string | null;
  createdAt: number;
  sentAt: number | null;
}

interface Answered {
  seenAt: number;
  createdAt: number;
  sentAt: number | null;
  answer: string;
}

interface Posted {
  start: number;
  end: number;
}

// better-sqlite3 ships no type declarations and @types/better-sqlite3 is not a
// dependency: describe the two calls the watcher makes.
interface ReadonlyDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  close(): void;
}
type DatabaseConstructor = new (
  file: string,
  options: { readonly: boolean; fileMustExist: boolean },
) => ReadonlyDatabase;

/**
 * Sees receipts arrive at the sender. The outbox has no "answered at" column,
 * so the watcher polls the sender's SQLite file (read-only; WAL lets it read
 * while the node writes) every POLL_MS and stamps each newly answered row
 * with the time it first saw it. Receipts arrive in stream order, so it only
 * reads rows after the last contiguous answered position.
 */
class AnswerWatcher {
  readonly answers = new Map<string, Answered>();
  private readonly db: ReadonlyDatabase;
  private readonly query: { all(...params: unknown[]): unknown[] };
  private watermark = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    const Database = createRequire(__filename)('better-sqlite3') as DatabaseConstructor;
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    // receipts and rejections are never answered: left out, they would hold the watermark back
    this.query = this.db.prepare(
      `SELECT position, id, answer, created_at AS createdAt, sent_at AS sentAt
         FROM exchange_outbox WHERE position > ? AND type NOT IN ('receipt', 'rejection')
         ORDER BY position LIMIT 20000`,
    );
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  poll(): void {
    const rows = this.query.all(this.watermark) as OutboxRow[];
    const now = Date.now();
    let contiguous = true;
    for (const row of rows) {
      if (row.answer === null) {
        contiguous = false;
        continue;
      }
      if (!this.answers.has(row.id)) {
        this.answers.set(row.id, {
          seenAt: now,
          createdAt: Number(row.createdAt),
          sentAt: row.sentAt === null ? null : Number(row.sentAt),
          answer: row.answer,
        });
      }
      if (contiguous) this.watermark = row.position;
    }
  }

  /** Rows the relay has not published yet, and rows without an answer (for a stall report). */
  backlog(): { unpublished: number; unanswered: number } {
    return this.db
      .prepare(
        `SELECT SUM(sent_at IS NULL) AS unpublished, SUM(answer IS NULL) AS unanswered
           FROM exchange_outbox`,
      )
      .all()[0] as { unpublished: number; unanswered: number };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.db.close();
  }
}

/** The auditor whose certificate replays the run's log. */
const BENCH_AUDITOR = 'bench';

function credentialsOf(options: E2eOptions, principal: string): string {
  return credentialsDirOf(join(options.workDir, 'kafka-credentials'), principal);
}

/**
 * The harness stands in for the coordinator: it signs a directory entry for
 * each node (keys made beforehand in the node's DATA_DIR/keys) with a key of
 * its own and publishes them, so that the bench runs no coordinator process.
 * Returns the raw public key the nodes verify the entries with.
 */
async function publishDirectory(options: E2eOptions, codes: string[]): Promise<string> {
  const coordinator = generateNodeKeys();
  const now = Date.now();
  const kafka = kafkaClient(options.kafka, 'yipanqi-bench-directory');
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  try {
    // the operator's part, as the provisioning does it for a real network
    await provisionNetwork(
      admin,
      {
        topicPrefix: options.topicPrefix,
        members: codes.map((code) => ({ code, suspended: false })),
        auditors: [BENCH_AUDITOR],
        // the PLAINTEXT comparison broker has no authorizer: topics only
      },
      { acls: options.kafka.credentials !== undefined },
    );
    if (options.kafka.credentials) {
      const principals = [
        ...codes.map((c) => nodePrincipal(c, options.topicPrefix)),
        auditorPrincipal(BENCH_AUDITOR, options.topicPrefix),
      ];
      for (const principal of principals) {
        await issueCredentials(principal, credentialsOf(options, principal), options.pkiDir);
      }
    }
    await producer.send({
      topic: directoryTopic(options.topicPrefix),
      messages: codes.map((code) => {
        const keys = exportPublicKeys(loadOrCreateNodeKeys(join(options.workDir, code, 'keys')));
        const entry = firstEntry(checkDivision(code), keys, { now, leadMs: 0 });
        return {
          key: code,
          value: JSON.stringify(signDirectoryEntry(entry, coordinator.signing.privateKey)),
        };
      }),
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  return exportPublicKeys(coordinator).signingKey;
}

/**
 * Two real city nodes as child processes on the real broker: the sender's
 * POST /notices is driven with `concurrency` requests in flight; a message is
 * done when its receipt has been applied at the sender (outbox row answered).
 */
export async function measureEndToEnd(options: E2eOptions): Promise<E2eResult> {
  const { repo, workDir, outDir, log } = options;
  if (!existsSync(cityNodeMain(repo))) {
    throw new Error(`${cityNodeMain(repo)} is missing: run npm run setup (or npm run build)`);
  }
  mkdirSync(outDir, { recursive: true });

  const coordinatorKey = await publishDirectory(options, [SENDER, RECEIVER]);

  const envFor = (code: string, port: number): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_CODE: code,
      NODE_NAME: `bench ${code}`,
      DATA_DIR: join(workDir, code),
      // explicit so the watcher knows the file, and never a DATABASE_URL of the caller's shell
      DATABASE_URL: `sqlite:${join(workDir, code, 'node.db')}`,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      COORDINATOR_KEY: coordinatorKey,
      TOPIC_PREFIX: options.topicPrefix,
      KAFKA_BROKERS: options.kafka.brokers.join(','),
      ...(options.kafka.credentials
        ? {
            KAFKA_CREDENTIALS_DIR: credentialsOf(options, nodePrincipal(code, options.topicPrefix)),
          }
        : { KAFKA_TLS: 'off' }),
    };
    delete env.KEYS_DIR;
    return env;
  };
  const profiles = options.profileAgent
    ? {
        sender: join(outDir, `sender-${SENDER}.cpuprofile`),
        receiver: join(outDir, `receiver-${RECEIVER}.cpuprofile`),
      }
    : undefined;

  const nodes: CityNodeProcess[] = [];
  let watcher: AnswerWatcher | undefined;
  try {
    const senderEnv = envFor(SENDER, await freePort());
    const receiverEnv = envFor(RECEIVER, await freePort());
    const sender = new CityNodeProcess({
      repo,
      code: SENDER,
      port: Number(senderEnv.HTTP_PORT),
      env: senderEnv,
      logFile: join(outDir, `node-${SENDER}.log`),
      profileAgent: options.profileAgent,
      cpuProfile: profiles?.sender,
    });
    nodes.push(sender);
    const receiver = new CityNodeProcess({
      repo,
      code: RECEIVER,
      port: Number(receiverEnv.HTTP_PORT),
      env: receiverEnv,
      logFile: join(outDir, `node-${RECEIVER}.log`),
      profileAgent: options.profileAgent,
      cpuProfile: profiles?.receiver,
    });
    nodes.push(receiver);
    await Promise.all(nodes.map((n) => n.waitHealthy()));
    log(
      `e2e: nodes up (sender ${SENDER} pid ${sender.pid}, receiver ${RECEIVER} pid ${receiver.pid})`,
    );

    sender.useToken(await issueToken(repo, senderEnv, 'bench'));
    receiver.useToken(await issueToken(repo, receiverEnv, 'bench'));
    log('e2e: API tokens issued (issue-token --role coordinator)');

    await establishAgreement(sender, receiver);
    log(
      `e2e: agreement ${SENDER} ⇄ ${RECEIVER} in force (proposed and countersigned via the APIs)`,
    );

    watcher = new AnswerWatcher(join(workDir, SENDER, 'node.db'));
    watcher.start();
    const posted = new Map<string, Posted>();
    // posted ids whose receipt the watcher has not seen yet (a receipt may even come first)
    const pending = new Set<string>();
    const body = noticeRequestBody();
    const checkAlive = () => nodes.forEach((n) => n.assertAlive());

    /** Sends `count` notices with `concurrency` requests in flight. */
    const postNotices = async (count: number): Promise<void> => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          const start = Date.now();
          const res = await sender.call('POST', '/notices', body).catch(async (err: Error) => {
            await sleep(500); // a dead node explains a refused request better than the socket error
            checkAlive();
            throw err;
          });
          if (res.status !== 202) {
            checkAlive();
            throw new Error(`POST /notices answered ${res.status}: ${res.body.slice(0, 500)}`);
          }
          const { id } = JSON.parse(res.body) as { id: string };
          posted.set(id, { start, end: Date.now() });
          pending.add(id);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    };

    /** Waits until every posted notice is answered, logging progress; fails on a stall. */
    const waitAnswered = async (label: string, total: number, sending: () => boolean) => {
      const started = Date.now();
      let lastCount = -1;
      let lastChange = Date.now();
      let lastLog = Date.now();
      const w = watcher as AnswerWatcher;
      while (sending() || pending.size > 0) {
        checkAlive();
        await sleep(100);
        for (const id of pending) if (w.answers.has(id)) pending.delete(id);
        const count = posted.size - pending.size;
        if (count !== lastCount) {
          lastCount = count;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > STALL_MS) {
          throw new Error(
            `${label}: no receipt for ${STALL_MS / 1000} s (${count}/${posted.size} answered); ` +
              `sender outbox: ${JSON.stringify(w.backlog())}; see the node logs in ${outDir}`,
          );
        }
        if (Date.now() - lastLog >= 2000) {
          lastLog = Date.now();
          const secs = (Date.now() - started) / 1000;
          log(
            `${label}: posted ${posted.size}/${total}, receipts ${count}/${total} ` +
              `(${Math.round(count / secs)} msg/s so far)`,
          );
        }
      }
    };

    log(`e2e: warm-up, ${options.warmup} notices`);
    let warming = true;
    const warm = postNotices(options.warmup).finally(() => (warming = false));
    await Promise.all([warm, waitAnswered('warm-up', options.warmup, () => warming)]);
    const warmIds = new Set(posted.keys());

    // measured window: CPU counters and profiles around exactly these messages
    const brokers = kafkaBrokerPids();
    const cpuNow = () => ({
      sender: processCpuSeconds(sender.pid),
      receiver: processCpuSeconds(receiver.pid),
      broker:
        brokers.length > 0
          ? brokers.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0)
          : null,
      harness: process.cpuUsage(),
      machine: machineCpuSeconds(),
    });
    if (profiles) nodes.forEach((n) => n.toggleProfile());
    const cpu0 = cpuNow();
    const t0 = Date.now();
    log(`e2e: measuring ${options.messages} notices, ${options.concurrency} requests in flight`);
    let sending = true;
    const measured = postNotices(options.messages).finally(() => (sending = false));
    await Promise.all([
      measured,
      waitAnswered('e2e', options.warmup + options.messages, () => sending),
    ]);
    watcher.poll();
    const cpu1 = cpuNow();
    const wall = (Date.now() - t0) / 1000;
    if (profiles) {
      nodes.forEach((n) => n.toggleProfile());
      await waitForFiles([profiles.sender, profiles.receiver], 60000);
    }

    const latency: number[] = [];
    const api: number[] = [];
    const postToOutbox: number[] = [];
    const outboxToPublished: number[] = [];
    const publishedToReceipt: number[] = [];
    let rejections = 0;
    let firstStart = Infinity;
    let lastSeen = 0;
    for (const [id, p] of posted) {
      if (warmIds.has(id)) continue;
      const a = watcher.answers.get(id);
      if (!a) throw new Error(`no answer recorded for ${id}`);
      if (a.answer !== 'receipt') rejections++;
      firstStart = Math.min(firstStart, p.start);
      lastSeen = Math.max(lastSeen, a.seenAt);
      latency.push(a.seenAt - p.start);
      api.push(p.end - p.start);
      postToOutbox.push(a.createdAt - p.start);
      if (a.sentAt !== null) {
        outboxToPublished.push(a.sentAt - a.createdAt);
        publishedToReceipt.push(a.seenAt - a.sentAt);
      }
    }
    const seconds = (lastSeen - firstStart) / 1000;
    const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
    const harness = process.cpuUsage(cpu0.harness);
    const harnessSeconds = (harness.user + harness.system) / 1e6;
    const machineBusy = diff(cpu0.machine?.busy ?? null, cpu1.machine?.busy ?? null);
    const ours = [
      diff(cpu0.sender, cpu1.sender),
      diff(cpu0.receiver, cpu1.receiver),
      diff(cpu0.broker, cpu1.broker),
    ];
    const auditorReplay = await replayWithAuditor(options, coordinatorKey, log);
    return {
      messages: latency.length,
      warmup: options.warmup,
      concurrency: options.concurrency,
      auth: 'bearer token from issue-token',
      seconds,
      msgsPerSecond: latency.length / seconds,
      latencyMs: distribution(latency),
      apiResponseMs: distribution(api),
      stagesMs: {
        postToOutbox: distribution(postToOutbox),
        outboxToPublished: distribution(outboxToPublished),
        publishedToReceipt: distribution(publishedToReceipt),
      },
      pollIntervalMs: POLL_MS,
      rejections,
      cpuSeconds: {
        sender: ours[0],
        receiver: ours[1],
        broker: ours[2],
        harness: harnessSeconds,
        other:
          machineBusy === null
            ? null
            : machineBusy - ours.reduce<number>((s, v) => s + (v ?? 0), 0) - harnessSeconds,
        machineBusy,
        available: wall * availableParallelism(),
      },
      auditorReplay,
      profiles,
    };
  } finally {
    watcher?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await deleteRunTopics(options.kafka, options.topicPrefix);
  }
}

/**
 * The auditor replays the run's log from the broker: every signature, chain
 * link and receipt checked, as `npm run auditor -- replay` does.
 */
async function replayWithAuditor(
  options: E2eOptions,
  coordinatorKey: string,
  log: (line: string) => void,
): Promise<AuditorReplayResult> {
  const reportDir = join(options.workDir, 'audit-report');
  const discard = new Writable({ write: (_chunk, _encoding, next) => next() });
  // in the same run as the replay: the machine is shared and its load changes
  const cryptoLimit = await measureAuditorCryptoLimit(2000, availableParallelism());
  const started = Date.now();
  const code = await runAuditorCli(
    [
      'node',
      'auditor',
      'replay',
      '--brokers',
      options.kafka.brokers.join(','),
      ...(options.kafka.credentials
        ? [
            '--kafka-credentials',
            credentialsOf(options, auditorPrincipal(BENCH_AUDITOR, options.topicPrefix)),
          ]
        : []),
      '--topic-prefix',
      options.topicPrefix,
      '--coordinator-key',
      coordinatorKey,
      '--report-dir',
      reportDir,
      '--no-progress',
    ],
    {
      stdout: discard,
      stderr: discard,
      env: options.kafka.credentials ? {} : { KAFKA_TLS: 'off' },
    },
  );
  const seconds = (Date.now() - started) / 1000;
  if (code === 1) throw new Error('auditor replay could not read the run');
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as AuditReport;
  const records = report.summary.inboxRecords;
  log(`e2e: auditor replay of ${records} records in ${seconds.toFixed(1)} s (${report.verdict})`);
  return {
    records,
    seconds,
    recordsPerSecond: records / seconds,
    verdict: report.verdict,
    cryptoLimit,
  };
}

async function waitForFiles(files: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!files.every((f) => existsSync(f))) {
    if (Date.now() > deadline) throw new Error(`CPU profiles not written: ${files.join(', ')}`);
    await sleep(200);
  }
}

/** Removes this run's topics and consumer groups (unique prefix: nothing else is touched). */
async function deleteRunTopics(connection: KafkaConnection, prefix: string): Promise<void> {
  const kafka = kafkaClient(connection, 'yipanqi-bench-cleanup');
  const admin = kafka.admin();
  try {
    await admin.connect();
    const codes = [SENDER, RECEIVER];
    const topics = codes.flatMap((c) => [inboxTopic(c, prefix), deadLetterTopic(c, prefix)]);
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) });
    await admin.deleteGroups(codes.map((c) => `${prefix}.node.${c}`)).catch(() => undefined);
  } catch {
    // cleanup is best effort: a failed run must still report its own error
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Notices travel only under an agreement in force: staff's steps through both nodes' APIs. */
async function establishAgreement(
  sender: CityNodeProcess,
  receiver: CityNodeProcess,
): Promise<void> {
  const json = async (node: CityNodeProcess, method: string, path: string, body?: unknown) => {
    const res = await node.call(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
    );
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.body}`);
    return JSON.parse(res.body) as { id: string; hash: string; status: string };
  };
  const draft = await json(sender, 'POST', '/agreements', {
    partner: RECEIVER,
    myRole: 'inflow',
    scope: [NOTICE.domain],
    termStart: '2026-01-01',
    termEnd: '2036-01-01',
  });
  await json(sender, 'POST', `/agreements/${draft.id}/propose`);
  const deadline = Date.now() + 30000;
  for (;;) {
    const seen = await receiver.call('GET', `/agreements/${draft.id}`);
    if (seen.status === 200) break;
    if (Date.now() > deadline) throw new Error('the agreement proposal did not arrive in 30 s');
    await sleep(100);
  }
  await json(receiver, 'POST', `/agreements/${draft.id}/countersign`, { hash: draft.hash });
  while ((await json(sender, 'GET', `/agreements/${draft.id}`)).status !== 'active') {
    if (Date.now() > deadline) throw new Error('the countersignature did not arrive in 30 s');
    await sleep(100);
  }
}
