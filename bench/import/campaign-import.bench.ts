/**
 * Issue 14, target 2: a campaign file of BENCH_IMPORT_ROWS rows (default
 * 1,000,000, 1 % bad) uploaded to 惠州 → every valid arrival applied at 宜宾
 * → every record's receipt back at 惠州, in ≤ 5 minutes, each node's RSS
 * ≤ 300 MB throughout (sampled every BENCH_RSS_SAMPLE_MS), the bad rows
 * reported row by row. Two city node processes on SQLite over the real
 * broker. Writes bench/import-results.json and prints PASS/FAIL per target.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { establishAgreement } from '../../tests/support/agreements';
import {
  ArrivalRows,
  getJson,
  importSettles,
  syntheticCampaignFile,
  uploadCsv,
} from '../../tests/support/campaign-import';
import { eventually } from '../../tests/support/city-nodes';
import { NodeProcess, ProcessNetwork, startProcessNetwork } from '../../tests/support/node-process';

const HUIZHOU = '441300';
const YIBIN = '511500';
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const SAMPLE_MS = Number(process.env.BENCH_RSS_SAMPLE_MS ?? 1000);
const LIMIT_SECONDS = 300;
const LIMIT_RSS_MB = 300;
/**
 * BENCH_IMPORT_PROFILE=<dir>: both nodes preload the bench's CPU profile agent
 * (npm run bench compiles it to dist/bench) and profile the commit pass.
 */
const PROFILE_DIR = process.env.BENCH_IMPORT_PROFILE;
const AGENT = join(__dirname, '../../dist/bench/bench/src/cpu-profile-agent.js');

/** Resident set size of a process in MB (Linux /proc), or null once it is gone. */
function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** V8 heap in use (MB) from the node's /metrics: tells live data from garbage not yet collected. */
async function heapUsedMb(node: NodeProcess): Promise<number | null> {
  try {
    const res = await fetch(`${node.url}/metrics`);
    const text = await res.text();
    const used = /^yipanqi_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1];
    return used === undefined ? null : Number(used) / 2 ** 20;
  } catch {
    return null;
  }
}

interface Sample {
  s: number;
  sender: number | null;
  receiver: number | null;
  senderHeap: number | null;
  receiverHeap: number | null;
  phase: string;
}

describe('campaign import benchmark', () => {
  let net: ProcessNetwork;
  let huizhou: NodeProcess;
  let yibin: NodeProcess;

  beforeAll(async () => {
    net = await startProcessNetwork([HUIZHOU, YIBIN]);
    huizhou = net.nodes[HUIZHOU];
    yibin = net.nodes[YIBIN];
    const profiled = (code: string) =>
      PROFILE_DIR
        ? {
            NODE_OPTIONS: `--require ${AGENT}`,
            BENCH_CPU_PROFILE: join(PROFILE_DIR, `${code}.cpuprofile`),
          }
        : {};
    await Promise.all([huizhou.start(profiled(HUIZHOU)), yibin.start(profiled(YIBIN))]);
    await establishAgreement(huizhou, yibin, YIBIN, {
      role: 'inflow',
      scope: ['information-exchange'],
    });
  });
  afterAll(() => net.stop());

  it(`imports ${ROWS} rows end to end`, async () => {
    const { csv, findings, good } = syntheticCampaignFile(new ArrivalRows(20261207), ROWS, 100);
    const campaign = 'bench-import';
    const samples: Sample[] = [];
    let phase = 'upload';
    const t0 = Date.now();
    const sampler = setInterval(() => {
      const at = (Date.now() - t0) / 1000;
      const [sender, receiver] = [rssMb(huizhou.pid), rssMb(yibin.pid)];
      const now = phase;
      void Promise.all([heapUsedMb(huizhou), heapUsedMb(yibin)]).then(
        ([senderHeap, receiverHeap]) =>
          samples.push({ s: at, sender, receiver, senderHeap, receiverHeap, phase: now }),
      );
    }, SAMPLE_MS);
    const marks: Record<string, number> = {};
    const mark = (name: string) => (marks[name] = (Date.now() - t0) / 1000);
    try {
      const res = await uploadCsv(huizhou, campaign, csv);
      if (res.status !== 202) throw new Error(`upload → ${res.status} ${JSON.stringify(res.body)}`);
      mark('uploaded');
      phase = 'check + commit';
      const toggleProfiles = () => {
        if (!PROFILE_DIR) return;
        for (const node of [huizhou, yibin]) if (node.pid) process.kill(node.pid, 'SIGURG');
      };
      toggleProfiles();
      const done = await importSettles(huizhou, res.body.id, 3_000_000);
      mark('committed');
      phase = 'delivering';
      if (done.status !== 'done' || done.rowsCommitted !== good.length) {
        throw new Error(`import ended ${JSON.stringify(done)}`);
      }
      const atYibin = () =>
        yibin.count(`SELECT COUNT(*) n FROM migrant WHERE campaign_id = ?`, campaign);
      await eventually(() => atYibin() === good.length, 3_000_000, 'every arrival at 宜宾');
      mark('applied at 宜宾');
      phase = 'receipts';
      const receipted = () =>
        huizhou.count(`SELECT COUNT(*) n FROM exchange_outbox_record WHERE outcome = 'accepted'`);
      await eventually(() => receipted() === good.length, 3_000_000, 'every receipt at 惠州');
      mark('receipted at 惠州');
      toggleProfiles();
      phase = 'report';
      const report = await getJson<{ findings: unknown[] }>(
        huizhou,
        `/imports/${res.body.id}/report`,
      );
      const reported = report.body.findings.length;
      clearInterval(sampler);

      const total = marks['receipted at 惠州'];
      const peak = (key: 'sender' | 'receiver' | 'senderHeap' | 'receiverHeap') =>
        Math.max(...samples.map((x) => x[key] ?? 0));
      const bulks = huizhou.count(
        `SELECT COUNT(*) n FROM exchange_outbox WHERE type = 'migrant.arrival.bulk'`,
      );
      const results = {
        date: new Date().toISOString(),
        rows: ROWS,
        valid_rows: good.length,
        bad_rows_expected: findings.length,
        bad_rows_reported: reported,
        bulk_messages: bulks,
        records_per_bulk: Math.round((good.length / bulks) * 10) / 10,
        seconds: marks,
        rows_per_s: Math.round(ROWS / total),
        target_seconds: LIMIT_SECONDS * (ROWS / 1_000_000),
        time_verdict: total <= LIMIT_SECONDS * (ROWS / 1_000_000) ? 'PASS' : 'FAIL',
        peak_rss_mb: { sender: Math.round(peak('sender')), receiver: Math.round(peak('receiver')) },
        peak_heap_used_mb: {
          sender: Math.round(peak('senderHeap')),
          receiver: Math.round(peak('receiverHeap')),
        },
        rss_verdict:
          peak('sender') <= LIMIT_RSS_MB && peak('receiver') <= LIMIT_RSS_MB ? 'PASS' : 'FAIL',
        findings_verdict: reported === findings.length ? 'PASS' : 'FAIL',
        rss_curve: samples.map((x) => ({
          s: Math.round(x.s),
          sender: x.sender && Math.round(x.sender),
          receiver: x.receiver && Math.round(x.receiver),
          sender_heap: x.senderHeap && Math.round(x.senderHeap),
          receiver_heap: x.receiverHeap && Math.round(x.receiverHeap),
          phase: x.phase,
        })),
      };
      writeFileSync(
        join(__dirname, '..', 'import-results.json'),
        `${JSON.stringify(results, null, 2)}\n`,
      );
      const line = (what: string, value: string, verdict: string) =>
        `  ${what.padEnd(44)} ${value.padStart(24)}  ${verdict}`;
      process.stdout.write(
        [
          `campaign import benchmark (${ROWS} rows, ${findings.length} bad, ${bulks} bulk messages)`,
          ...Object.entries(marks).map(
            ([k, v]) => `  ${k.padEnd(44)} ${`${v.toFixed(1)} s`.padStart(24)}`,
          ),
          line(
            `upload → every receipt back (≤ ${results.target_seconds} s)`,
            `${total.toFixed(1)} s, ${results.rows_per_s} rows/s`,
            results.time_verdict,
          ),
          line(
            `peak RSS sender / receiver (≤ ${LIMIT_RSS_MB} MB)`,
            `${results.peak_rss_mb.sender} / ${results.peak_rss_mb.receiver} MB`,
            results.rss_verdict,
          ),
          line(
            'bad rows reported row by row',
            `${reported} of ${findings.length}`,
            results.findings_verdict,
          ),
          '',
        ].join('\n'),
      );
      // a run whose data is wrong is no measurement
      expect(reported).toBe(findings.length);
    } finally {
      clearInterval(sampler);
    }
  });
});
