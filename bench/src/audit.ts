import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { AuditReport } from '../../apps/auditor/src/report/audit-report';
import { AuditorCryptoLimit, measureAuditorCryptoLimit } from './auditor-limit';
import { syntheticAuditLog } from './audit-log';
import { machineCpuSeconds, processCpuSeconds } from './proc-cpu';
import { profileMarkdown, summariseProfile } from './profile-summary';
import { round } from './stats';

/**
 * npm run bench:audit
 *
 * Streams a synthetic signed log (default 1,000,000 inbox records, built once
 * into bench/out/ by audit-log.ts and reused) through `auditor replay
 * --archive` in a process of its own, and prints records/s, the ratio to the
 * auditor's crypto limit measured in the same run (target ≥ 0.8, issue 14)
 * and the replay's resident memory sampled over time. BENCH_AUDIT_SIZES
 * (e.g. 100000,300000,1000000) replays several sizes, to see how memory grows
 * with the log; BENCH_AUDIT_PROFILE=1 writes a V8 CPU profile of each replay.
 */

// dist/bench/bench/src/audit.js → the repository
const repo = resolve(__dirname, '../../../..');
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const TARGET = 0.8;
const SAMPLE_MS = 100;

interface ReplayRun {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  verdict: string;
  findings: number;
  peakRssMb: number;
  /** resident memory over the run: [seconds since start, MB] */
  rssMb: [number, number][];
  cpuSeconds: number;
  /** CPU the rest of the machine used while the replay ran, in cores */
  otherBusyCores: number | null;
  profile?: string;
}

function sizesFromEnv(): number[] {
  const raw = process.env.BENCH_AUDIT_SIZES || process.env.BENCH_AUDIT_RECORDS || '1000000';
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new Error('BENCH_AUDIT_SIZES must be integers ≥ 2, comma-separated');
  }
  return sizes;
}

/** VmRSS of a process in MB, from /proc (null once it has exited, or off Linux). */
function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function replayArchive(
  dir: string,
  coordinatorKey: string,
  records: number,
  outDir: string,
  profile: boolean,
): Promise<ReplayRun> {
  const reportDir = join(outDir, `report-${records}`);
  const profileDir = join(outDir, `profile-${records}`);
  const main = join(repo, 'dist/bench/apps/auditor/src/main.js');
  const args = [
    ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    '-r',
    'tsconfig-paths/register',
    main,
    'replay',
    '--archive',
    dir,
    '--coordinator-key',
    coordinatorKey,
    '--report-dir',
    reportDir,
    '--no-progress',
  ];
  const machine0 = machineCpuSeconds();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const samples: [number, number][] = [];
  // the child's CPU as last sampled: at most one sample interval short of its total
  let cpuSeconds = 0;
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const timer = setInterval(() => {
    if (child.pid === undefined) return;
    const mb = rssMb(child.pid);
    if (mb !== null) samples.push([round(elapsed(), 1), round(mb, 1)]);
    cpuSeconds = processCpuSeconds(child.pid) ?? cpuSeconds;
  }, SAMPLE_MS);
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', done);
  });
  clearInterval(timer);
  const seconds = elapsed();
  const machine1 = machineCpuSeconds();
  if (code !== 0 && code !== 2) throw new Error(`auditor replay exited ${code}: ${stderr}`);
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as AuditReport;
  const inboxRecords = report.summary.inboxRecords;
  const childCpu = cpuSeconds;
  const otherBusy =
    machine0 && machine1 ? Math.max(0, machine1.busy - machine0.busy - childCpu) / seconds : null;
  const profileFile = profile
    ? readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(profileDir, f))[0]
    : undefined;
  return {
    records: inboxRecords,
    seconds,
    recordsPerSecond: inboxRecords / seconds,
    verdict: report.verdict,
    findings: report.findings.length,
    peakRssMb: Math.max(0, ...samples.map(([, mb]) => mb)),
    rssMb: samples,
    cpuSeconds: childCpu,
    otherBusyCores: otherBusy,
    profile: profileFile,
  };
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const sizes = sizesFromEnv();
  const profile = process.env.BENCH_AUDIT_PROFILE === '1';
  const iterations = Number(process.env.BENCH_CRYPTO_ITERATIONS || 3000);
  const outDir = join(repo, 'bench/out', `audit-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(outDir, { recursive: true });

  const runs: { limit: AuditorCryptoLimit; replay: ReplayRun }[] = [];
  for (const size of sizes) {
    const archive = await syntheticAuditLog(
      join(repo, 'bench/out', `audit-log-${size}`),
      size,
      log,
    );
    log(`replaying ${archive.records} records from ${relative(repo, archive.dir)}`);
    // measured right before each replay: the machine is shared, its load changes
    const limit = await measureAuditorCryptoLimit(iterations, cores);
    log(
      `auditor crypto limit: ${round(limit.cpuMicrosPerRecord)} µs CPU per record → ` +
        `${Math.round(limit.recordsPerSecond)} records/s on ${cores} cores`,
    );
    // the first replay of an archive reads it from disk, later ones from the page cache
    const replay = await replayArchive(archive.dir, archive.coordinatorKey, size, outDir, profile);
    log(
      `replay: ${replay.records} records in ${replay.seconds.toFixed(1)} s, ` +
        `peak RSS ${Math.round(replay.peakRssMb)} MB (${replay.verdict})`,
    );
    if (replay.profile) {
      const markdown = profileMarkdown(
        `auditor replay, ${replay.records} records`,
        summariseProfile(replay.profile),
      );
      writeFileSync(join(outDir, `profile-${size}.md`), markdown);
      console.log(`\n${markdown}`);
    }
    runs.push({ limit, replay });
  }

  const results = {
    date: new Date().toISOString(),
    machine: { cores, cpu_model: cpus()[0]?.model ?? 'unknown', node_version: process.version },
    target_ratio_to_crypto_limit: TARGET,
    runs: runs.map(({ limit, replay }) => {
      const ratio = replay.recordsPerSecond / limit.recordsPerSecond;
      return {
        records: replay.records,
        auditor_replay_records_per_s: Math.round(replay.recordsPerSecond),
        auditor_crypto_limit_records_per_s: Math.round(limit.recordsPerSecond),
        auditor_replay_ratio_to_crypto_limit: round(ratio, 3),
        auditor_replay_vs_crypto_limit: ratio >= TARGET ? 'PASS' : 'FAIL',
        crypto_cpu_us_per_record: round(limit.cpuMicrosPerRecord),
        crypto_steps: limit.steps.map((s) => ({ step: s.step, cpu_us: round(s.cpuMicros) })),
        replay_seconds: round(replay.seconds, 2),
        replay_cpu_seconds: round(replay.cpuSeconds, 2),
        replay_cpu_us_per_record: round((1e6 * replay.cpuSeconds) / replay.records),
        other_busy_cores_during_replay:
          replay.otherBusyCores === null ? null : round(replay.otherBusyCores, 2),
        peak_rss_mb: Math.round(replay.peakRssMb),
        rss_mb_samples: thin(replay.rssMb, 40),
        verdict: replay.verdict,
        findings: replay.findings,
      };
    }),
  };
  const file = join(outDir, 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log('');
  for (const r of results.runs) {
    console.log(
      `  ${r.records} records: ${r.auditor_replay_records_per_s} records/s, crypto limit ` +
        `${r.auditor_crypto_limit_records_per_s} records/s (${r.crypto_cpu_us_per_record} µs × ${cores} cores), ` +
        `ratio ${r.auditor_replay_ratio_to_crypto_limit} ${r.auditor_replay_vs_crypto_limit} (target ≥ ${TARGET}), ` +
        `peak RSS ${r.peak_rss_mb} MB, replay CPU ${r.replay_cpu_us_per_record} µs/record, ` +
        `other work ${r.other_busy_cores_during_replay ?? '?'} cores, ${r.verdict}`,
    );
  }
  console.log('');
  log(`results in ${relative(repo, file)}`);
}

/** At most `n` evenly spaced samples, the peak always among them. */
function thin(samples: [number, number][], n: number): [number, number][] {
  if (samples.length <= n) return samples;
  const peak = samples.reduce((a, b) => (b[1] > a[1] ? b : a));
  const step = samples.length / n;
  const kept = Array.from({ length: n }, (_, i) => samples[Math.floor(i * step)]);
  return [...new Set([...kept, peak])].sort((a, b) => a[0] - b[0]);
}

main().catch((err: Error) => {
  console.error(`bench:audit failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
