import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { generateNodeKeys } from '@yipanqi/crypto';
import { envelopeHash } from '@yipanqi/exchange';
import { KafkaConnection, kafkaSettingsFromEnv, loadKafkaCredentials } from '@yipanqi/kafka-access';
import { runningChildren } from './city-node-process';
import { CryptoLimit, measureCryptoLimit } from './crypto-limit';
import { E2eResult, measureEndToEnd } from './e2e';
import { kafkaBrokerPids, machineCpuSeconds, processCpuSeconds } from './proc-cpu';
import { profileMarkdown, summariseProfile } from './profile-summary';
import { measureRawKafka, RawResult } from './raw-kafka';
import { buildNoticeEnvelope, buildReceiptEnvelope, RECEIVER, SENDER } from './sample';
import { round } from './stats';

/**
 * npm run bench [-- --profile]
 *
 * 1. crypto limit: CPU per message of the mandatory crypto, × cores;
 * 2. raw: kafkajs alone, produce → consume of real-size notice envelopes;
 * 3. end to end: two real city nodes, POST /notices → receipt applied at the sender.
 * Writes bench/results.json (with --profile: bench/out/<run>/, plus CPU profiles
 * of both nodes and their summary). Sizes come from the environment, see docs/bench.md.
 */

// dist/bench/bench/src/main.js → the repository
const repo = resolve(__dirname, '../../../..');
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** The commit measured, and whether the work tree had uncommitted changes (setup builds those into dist/ too). */
function gitState(): { commit: string; dirty: boolean } | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      dirty: git('status', '--porcelain').trim() !== '',
    };
  } catch {
    return null;
  }
}

function kafkaVersion(external: boolean): string {
  if (external) return 'unknown (external cluster from KAFKA_BROKERS)';
  const lib = join(repo, 'deploy/kafka/lib');
  const jar = existsSync(lib)
    ? readdirSync(lib).find((f) => /^kafka_2\.13-.*\.jar$/.test(f))
    : undefined;
  return jar ? jar.replace(/^kafka_2\.13-|\.jar$/g, '') : 'unknown';
}

/** The envelopes whose sizes the raw baseline and the report use. */
async function sampleEnvelopes(): Promise<{ notice: string; receipt: string }> {
  const sender = generateNodeKeys();
  const recipient = generateNodeKeys();
  // a mid-stream envelope: seq > 1 has a prevHash, as nearly all real ones do
  const first = await buildNoticeEnvelope(sender, recipient, 1, null);
  const notice = await buildNoticeEnvelope(sender, recipient, 42, envelopeHash(first));
  const receipt = buildReceiptEnvelope(
    notice,
    envelopeHash(notice),
    recipient,
    42,
    envelopeHash(first),
  );
  return { notice: JSON.stringify(notice), receipt: JSON.stringify(receipt) };
}

async function main(): Promise<void> {
  const profile = process.argv.includes('--profile');
  const settings = {
    messages: intFromEnv('BENCH_MESSAGES', 10000),
    warmup: intFromEnv('BENCH_WARMUP', 500),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 32),
    rawMessages: intFromEnv('BENCH_RAW_MESSAGES', 100000),
    rawBatch: intFromEnv('BENCH_RAW_BATCH', 500),
    cryptoIterations: intFromEnv('BENCH_CRYPTO_ITERATIONS', 3000),
  };
  const kafka = kafkaSettingsFromEnv();
  // the operator's certificate, as deploy/kafka/kafka.sh made it; KAFKA_TLS=off for a PLAINTEXT broker
  const pkiDir = process.env.KAFKA_PKI_DIR || join(repo, '.local', 'kafka-pki');
  const connection: KafkaConnection = {
    brokers: kafka.brokers,
    credentials:
      process.env.KAFKA_TLS === 'off'
        ? undefined
        : loadKafkaCredentials(process.env.KAFKA_OPERATOR_CREDENTIALS || join(pkiDir, 'operator')),
  };
  const cores = availableParallelism();
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
  const topicPrefix = `bench-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const outDir = join(repo, 'bench/out', runId);
  mkdirSync(outDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'yipanqi-bench-'));
  const cleanup = () => rmSync(workDir, { recursive: true, force: true });
  onInterrupt(cleanup);

  try {
    const samples = await sampleEnvelopes();
    const envelopeBytes = Buffer.byteLength(samples.notice);
    log(
      `notice envelope ${envelopeBytes} bytes, receipt ${Buffer.byteLength(samples.receipt)} bytes`,
    );

    log(`crypto: ${settings.cryptoIterations} iterations of each step`);
    const crypto = await measureCryptoLimit(settings.cryptoIterations, cores);
    log(
      `crypto: ${Math.round(crypto.cpuMicrosPerMessage)} µs CPU per message → ${Math.round(crypto.msgsPerSecond)} msg/s on ${cores} cores`,
    );

    const raw = await measureRawKafka({
      kafka: connection,
      topicPrefix,
      envelope: samples.notice,
      messages: settings.rawMessages,
      batchSize: settings.rawBatch,
      log,
    });
    log(`raw: ${Math.round(raw.msgsPerSecond)} msg/s`);

    // Other work on the machine skews every figure here: say so when there is any.
    const idleBusy = await busyCores(3000);
    if (idleBusy !== null && idleBusy > 0.2) {
      log(`warning: ${idleBusy.toFixed(2)} cores busy before the e2e phase: other work is running`);
    }

    const e2e = await measureEndToEnd({
      repo,
      kafka: connection,
      pkiDir,
      topicPrefix,
      workDir,
      outDir,
      messages: settings.messages,
      warmup: settings.warmup,
      concurrency: settings.concurrency,
      profileAgent: profile ? join(__dirname, 'cpu-profile-agent.js') : undefined,
      log,
    });
    // the same raw and end-to-end phases on a PLAINTEXT broker of its own: what TLS and ACLs cost
    const plaintext =
      process.env.BENCH_SKIP_PLAINTEXT === '1' || connection.credentials === undefined
        ? null
        : await withPlaintextBroker(async (brokers) => {
            const plain: KafkaConnection = { brokers, credentials: undefined };
            const plainRaw = await measureRawKafka({
              kafka: plain,
              topicPrefix: `${topicPrefix}-plain`,
              envelope: samples.notice,
              messages: settings.rawMessages,
              batchSize: settings.rawBatch,
              log,
            });
            log(`plaintext raw: ${Math.round(plainRaw.msgsPerSecond)} msg/s`);
            const plainE2e = await measureEndToEnd({
              repo,
              kafka: plain,
              pkiDir,
              topicPrefix: `${topicPrefix}-plain`,
              workDir: join(workDir, 'plaintext'),
              outDir: join(outDir, 'plaintext'),
              messages: settings.messages,
              warmup: settings.warmup,
              concurrency: settings.concurrency,
              log,
            });
            return { raw: plainRaw, e2e: plainE2e };
          });

    if (e2e.seconds < 10) {
      log(
        `note: the measured e2e phase took ${e2e.seconds.toFixed(1)} s (< 10 s): raise BENCH_MESSAGES`,
      );
    }

    const results = report({
      settings,
      kafka,
      cores,
      samples,
      crypto,
      raw,
      e2e,
      profile,
      idleBusy,
      plaintext,
    });
    const resultsFile = profile ? join(outDir, 'results.json') : join(repo, 'bench/results.json');
    writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
    printTable(results, crypto, e2e);
    if (e2e.profiles) {
      const markdown =
        profileMarkdown(
          `sender ${SENDER} (POST /notices, relay, receipts in)`,
          summariseProfile(e2e.profiles.sender),
        ) +
        '\n' +
        profileMarkdown(
          `receiver ${RECEIVER} (notices in, receipts out)`,
          summariseProfile(e2e.profiles.receiver),
        );
      writeFileSync(join(outDir, 'profile.md'), markdown);
      console.log('\n' + markdown);
      log(
        `profiles and summary in ${relative(repo, outDir)}/ (open .cpuprofile files in Chrome DevTools)`,
      );
    }
    log(
      `results written to ${relative(repo, resultsFile)}; node logs in ${relative(repo, outDir)}/`,
    );
  } finally {
    cleanup();
  }
}

type Settings = Record<
  'messages' | 'warmup' | 'concurrency' | 'rawMessages' | 'rawBatch' | 'cryptoIterations',
  number
>;

function report(r: {
  settings: Settings;
  kafka: { brokers: string[]; external: boolean };
  cores: number;
  samples: { notice: string; receipt: string };
  crypto: CryptoLimit;
  raw: RawResult;
  e2e: E2eResult;
  profile: boolean;
  idleBusy: number | null;
  plaintext: { raw: RawResult; e2e: E2eResult } | null;
}) {
  const { crypto, raw, e2e, plaintext } = r;
  const ms = (d: { p50: number; p90: number; p99: number; max: number; mean: number }) => ({
    p50: round(d.p50),
    p90: round(d.p90),
    p99: round(d.p99),
    max: round(d.max),
    mean: round(d.mean),
  });
  return {
    date: new Date().toISOString(),
    profiled: r.profile,
    raw_msgs_per_s: Math.round(raw.msgsPerSecond),
    crypto_limit_msgs_per_s: Math.round(crypto.msgsPerSecond),
    e2e_msgs_per_s: Math.round(e2e.msgsPerSecond),
    e2e_p50_ms: round(e2e.latencyMs.p50),
    e2e_p99_ms: round(e2e.latencyMs.p99),
    ratio_to_raw: round(e2e.msgsPerSecond / raw.msgsPerSecond, 3),
    ratio_to_crypto_limit: round(e2e.msgsPerSecond / crypto.msgsPerSecond, 3),
    auditor_replay_records_per_s: Math.round(e2e.auditorReplay.recordsPerSecond),
    auditor_replay_ratio_to_raw: round(e2e.auditorReplay.recordsPerSecond / raw.msgsPerSecond, 3),
    auditor_replay_verdict: e2e.auditorReplay.verdict,
    // issue 14: ≥ 0.8 of cores × what one record's canonical JSON, SHA-256 and Ed25519 cost
    auditor_crypto_limit_records_per_s: Math.round(e2e.auditorReplay.cryptoLimit.recordsPerSecond),
    auditor_crypto_cpu_us_per_record: round(e2e.auditorReplay.cryptoLimit.cpuMicrosPerRecord),
    auditor_replay_ratio_to_crypto_limit: round(auditorRatio(e2e), 3),
    auditor_replay_vs_crypto_limit: auditorRatio(e2e) >= AUDITOR_TARGET ? 'PASS' : 'FAIL',
    // the same run on a PLAINTEXT broker without an authorizer (BENCH_SKIP_PLAINTEXT=1: not run)
    security_cost: plaintext && {
      plaintext_raw_msgs_per_s: Math.round(plaintext.raw.msgsPerSecond),
      plaintext_e2e_msgs_per_s: Math.round(plaintext.e2e.msgsPerSecond),
      plaintext_e2e_p50_ms: round(plaintext.e2e.latencyMs.p50),
      plaintext_e2e_p99_ms: round(plaintext.e2e.latencyMs.p99),
      tls_raw_ratio: round(raw.msgsPerSecond / plaintext.raw.msgsPerSecond, 3),
      tls_e2e_ratio: round(e2e.msgsPerSecond / plaintext.e2e.msgsPerSecond, 3),
    },
    message_count: e2e.messages,
    envelope_bytes: Buffer.byteLength(r.samples.notice),
    receipt_envelope_bytes: Buffer.byteLength(r.samples.receipt),
    machine: {
      cores: r.cores,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      node_version: process.version,
      kafka_version: kafkaVersion(r.kafka.external),
      kafka_brokers: r.kafka.brokers.join(','),
      git: gitState(),
      // other work on the machine, measured for 3 s before the e2e phase (broker excluded)
      busy_cores_before_e2e: r.idleBusy === null ? null : round(r.idleBusy, 2),
    },
    raw: {
      topic_partitions: 3,
      key: 'sender code (one partition, like one from→to stream)',
      producer: 'idempotent, maxInFlightRequests 1, sequential sendBatch, acks -1',
      consumer: 'eachBatch, offsets committed per 500 records',
      messages: raw.messages,
      batch_size: raw.batchSize,
      seconds: round(raw.seconds, 2),
      producer_seconds: round(raw.producerSeconds, 2),
    },
    crypto: {
      iterations: crypto.iterations,
      cores: crypto.cores,
      cpu_us_per_message: round(crypto.cpuMicrosPerMessage),
      wall_us_per_message: round(crypto.wallMicrosPerMessage),
      steps: crypto.steps.map((s) => ({
        step: s.step,
        times_per_message: s.timesPerMessage,
        cpu_us: round(s.cpuMicros),
        wall_us: round(s.wallMicros),
      })),
    },
    e2e: {
      messages: e2e.messages,
      warmup: e2e.warmup,
      http_concurrency: e2e.concurrency,
      auth: e2e.auth,
      database: 'SQLite (default)',
      seconds: round(e2e.seconds, 2),
      latency_definition:
        'POST /notices sent by the harness → receipt applied in the sender outbox (row answered), seen by polling the sender SQLite file read-only every ' +
        `${e2e.pollIntervalMs} ms`,
      latency_ms: ms(e2e.latencyMs),
      api_response_ms: ms(e2e.apiResponseMs),
      stages_ms: {
        post_to_outbox_row: ms(e2e.stagesMs.postToOutbox),
        outbox_row_to_published: ms(e2e.stagesMs.outboxToPublished),
        published_to_receipt_applied: ms(e2e.stagesMs.publishedToReceipt),
      },
      rejections: e2e.rejections,
      // what one delivered notice cost each process, to compare with crypto.cpu_us_per_message
      cpu_ms_per_message: Object.fromEntries(
        (Object.entries(e2e.cpuSeconds) as [string, number | null][])
          .filter(([k]) => k !== 'available' && k !== 'machineBusy')
          .map(([k, v]) => [k, v === null ? null : round((1000 * v) / e2e.messages, 2)]),
      ),
      cpu_seconds_in_window: Object.fromEntries(
        (Object.entries(e2e.cpuSeconds) as [string, number | null][]).map(([k, v]) => [
          k,
          v === null ? null : round(v, 2),
        ]),
      ),
    },
    settings: r.settings,
  };
}

/** Issue 14: the replay should reach this share of its own crypto limit. */
const AUDITOR_TARGET = 0.8;

function auditorRatio(e2e: E2eResult): number {
  return e2e.auditorReplay.recordsPerSecond / e2e.auditorReplay.cryptoLimit.recordsPerSecond;
}

function printTable(results: ReturnType<typeof report>, crypto: CryptoLimit, e2e: E2eResult): void {
  const rows: [string, string][] = [
    ['raw kafkajs produce→consume', `${results.raw_msgs_per_s} msg/s`],
    [
      `crypto limit (${crypto.cores} cores, ${Math.round(crypto.cpuMicrosPerMessage)} µs/msg)`,
      `${results.crypto_limit_msgs_per_s} msg/s`,
    ],
    [`end to end, ${e2e.messages} notices`, `${results.e2e_msgs_per_s} msg/s`],
    ['e2e latency p50 / p99', `${results.e2e_p50_ms} / ${results.e2e_p99_ms} ms`],
    ...(results.security_cost
      ? ([
          [
            'PLAINTEXT raw / e2e (same run)',
            `${results.security_cost.plaintext_raw_msgs_per_s} / ${results.security_cost.plaintext_e2e_msgs_per_s} msg/s`,
          ],
          [
            'TLS ÷ PLAINTEXT raw / e2e',
            `${results.security_cost.tls_raw_ratio} / ${results.security_cost.tls_e2e_ratio}`,
          ],
        ] as [string, string][])
      : []),
    ['e2e ÷ raw', `${results.ratio_to_raw}`],
    ['e2e ÷ crypto limit (target ≥ 0.6)', `${results.ratio_to_crypto_limit}`],
    [
      `auditor replay, ${e2e.auditorReplay.records} records (${results.auditor_replay_verdict})`,
      `${results.auditor_replay_records_per_s} records/s, ÷ raw ${results.auditor_replay_ratio_to_raw}`,
    ],
    [
      `auditor crypto limit (${crypto.cores} cores, ${results.auditor_crypto_cpu_us_per_record} µs/record)`,
      `${results.auditor_crypto_limit_records_per_s} records/s`,
    ],
    [
      `auditor replay ÷ its crypto limit (target ≥ ${AUDITOR_TARGET})`,
      `${results.auditor_replay_ratio_to_crypto_limit} ${results.auditor_replay_vs_crypto_limit}`,
    ],
  ];
  const c = e2e.cpuSeconds;
  const s = (v: number | null) => (v === null ? '?' : v.toFixed(1));
  rows.push([
    'CPU s in e2e window (of available)',
    `sender ${s(c.sender)}, receiver ${s(c.receiver)}, broker ${s(c.broker)}, harness ${s(c.harness)}, other ${s(c.other)} (of ${c.available.toFixed(1)})`,
  ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('');
}

/**
 * A PLAINTEXT single broker without an authorizer (kafka.sh with KAFKA_TLS=off)
 * on ports of its own, for `work`, wiped afterwards: the comparison that says
 * what mutual TLS and ACLs cost. Never the broker of a network.
 */
async function withPlaintextBroker<T>(work: (brokers: string[]) => Promise<T>): Promise<T> {
  const port = intFromEnv('BENCH_PLAINTEXT_PORT', 9392);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_TLS: 'off',
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1000),
    KAFKA_DATA_DIR: join(repo, '.local', 'kafka-bench-plaintext'),
  };
  delete env.KAFKA_BROKERS;
  const script = join(repo, 'deploy/kafka/kafka.sh');
  log(`plaintext: starting a PLAINTEXT broker on ${port} for the comparison`);
  execFileSync('bash', [script, 'up'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    return await work([`127.0.0.1:${port}`]);
  } finally {
    execFileSync('bash', [script, 'reset'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

/**
 * How many cores the machine kept busy over `ms`, not counting the Kafka
 * broker (it is still settling the raw phase's topic) nor this process
 * (null off Linux).
 */
async function busyCores(ms: number): Promise<number | null> {
  const brokers = kafkaBrokerPids();
  const brokerCpu = () => brokers.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
  const before = { machine: machineCpuSeconds(), broker: brokerCpu(), me: process.cpuUsage() };
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineCpuSeconds();
  if (!before.machine || !after) return null;
  const me = process.cpuUsage(before.me);
  const busy =
    after.busy - before.machine.busy - (brokerCpu() - before.broker) - (me.user + me.system) / 1e6;
  return Math.max(0, busy) / (ms / 1000);
}

/** Ctrl-C or a kill: stop the city nodes and remove the temporary folder before leaving. */
function onInterrupt(cleanup: () => void): void {
  const handler = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping city nodes and cleaning up`);
    for (const child of runningChildren) child.kill('SIGTERM');
    const deadline = Date.now() + 10000;
    const wait = setInterval(() => {
      if (runningChildren.size === 0 || Date.now() > deadline) {
        for (const child of runningChildren) child.kill('SIGKILL');
        clearInterval(wait);
        cleanup();
        process.exit(130);
      }
    }, 100);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
