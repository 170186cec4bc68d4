import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { evaluationTopic } from '@yipanqi/contracts';
import { exportPublicKeys } from '@yipanqi/crypto';
import {
  CAMPAIGN_RESULT_FORMAT,
  publishedIndicator,
  signCampaignResult,
  TopicRecord,
  UnsignedCampaignResult,
} from '@yipanqi/exchange-log';
import {
  ALL_MEMBERS,
  cleanLog,
  coordinator,
  directoryRecord,
  idOf,
  inLogOrder,
  HUIZHOU,
  PREFIX,
  YIBIN,
} from '../../../libs/exchange-log/test/hand-log';
import { ArchiveWriter } from './archive/archive-files';
import { runAuditorCli } from './cli';
import { AuditReport } from './report/audit-report';

class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, next: () => void): void {
    this.text += chunk.toString();
    next();
  }
}

async function run(...args: string[]) {
  const stdout = new Collected();
  const stderr = new Collected();
  const code = await runAuditorCli(['node', 'auditor', ...args], { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const COORDINATOR_KEY = exportPublicKeys(coordinator).signingKey;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auditor-cli-'));
  scratch.push(dir);
  return dir;
}

/** An archive of a hand-made log, as `auditor export` writes it. */
function archiveOf(records: ReturnType<typeof cleanLog>['log']['records']): string {
  const dir = join(scratchDir(), 'archive');
  const writer = ArchiveWriter.create(dir);
  const directory = ALL_MEMBERS.map((c, i) => ({ ...directoryRecord(c), offset: String(i) }));
  const topics = new Set(records.map((r) => r.topic));
  writer.plan({ topic: `${PREFIX}.directory`, partition: 0, start: 0n, end: 3n });
  for (const topic of topics) {
    const count = records.filter((r) => r.topic === topic).length;
    writer.plan({ topic, partition: 0, start: 0n, end: BigInt(count) });
  }
  for (const r of [...directory, ...inLogOrder(records)]) writer.write(r);
  writer.finish({ topicPrefix: PREFIX, cutAt: '2026-01-07T00:00:00.000Z', from: null, to: null });
  return dir;
}

async function replayArchive(dir: string, ...options: string[]) {
  const reportDir = join(dir, '..', 'report');
  const result = await run(
    'replay',
    '--archive',
    dir,
    '--coordinator-key',
    COORDINATOR_KEY,
    '--report-dir',
    reportDir,
    ...options,
  );
  const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as AuditReport;
  const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
  return { ...result, report, html };
}

const NONE = { justified: 0, unjustified: 0, undecidable: 0 };
const CAMPAIGN_ID = '01900000-0000-7000-8000-00000000ca00';

/** A campaign result as the coordinator publishes it, on the evaluation topic. */
function resultRecord(
  figures: Pick<UnsignedCampaignResult, 'pairs' | 'ranking' | 'rejections'>,
): TopicRecord {
  const result = signCampaignResult(
    {
      format: CAMPAIGN_RESULT_FORMAT,
      version: 2,
      resultId: '01900000-0000-7000-8000-00000000ca01',
      campaignId: CAMPAIGN_ID,
      name: '互评',
      period: { start: Date.UTC(2026, 0, 5), end: Date.UTC(2026, 0, 6) },
      asOf: Date.UTC(2026, 0, 7),
      participants: [HUIZHOU, YIBIN],
      weights: null,
      ...figures,
      computedAt: Date.UTC(2026, 0, 7),
    },
    coordinator.signing.privateKey,
  );
  return {
    topic: evaluationTopic(PREFIX),
    partition: 0,
    offset: '0',
    timestamp: Date.UTC(2026, 0, 7),
    key: Buffer.from(CAMPAIGN_ID),
    headers: [],
    value: Buffer.from(JSON.stringify(result)),
  };
}

describe('auditor CLI', () => {
  it('describes itself in its help', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: auditor');
    expect(stdout).toMatch(/replays the signed exchange log/);
    expect(stdout).toMatch(/replay \[options\]/);
    expect(stdout).toMatch(/export \[options\]/);
  });

  it('exits 1 on an unknown command or a malformed option', async () => {
    expect((await run('frobnicate')).code).toBe(1);
    const bad = await run('replay', '--from', '2026-01-01 08:00', '--coordinator-key', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a UTC instant/);
  });

  it('exits 1 when the audit cannot be done: no manifest, no coordinator key', async () => {
    const empty = scratchDir();
    const noManifest = await run(
      'replay',
      '--archive',
      empty,
      '--coordinator-key',
      COORDINATOR_KEY,
    );
    expect(noManifest).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/manifest.json is missing/),
    });
    const dir = archiveOf(cleanLog().log.records);
    const noKey = await run('replay', '--archive', dir);
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringMatching(/coordinator key/) });
  });

  it('replays a clean archive to exit 0 with a JSON and an HTML report', async () => {
    const dir = archiveOf(cleanLog().log.records);
    const { code, stdout, report, html } = await replayArchive(dir);
    expect(code).toBe(0);
    // the same names and figures `export` prints for this archive
    expect(stdout).toMatch(
      /^clean: 9 records \(3 directory, 6 inbox, 0 evaluation\), 2 streams, 0 findings, 0 awaiting an answer\n\//,
    );
    expect(report).toMatchObject({
      verdict: 'clean',
      source: { kind: 'archive', topicPrefix: PREFIX },
      log: { cutAt: '2026-01-07T00:00:00.000Z', asOf: '2026-01-07T00:00:00.000Z' },
      summary: { inboxRecords: 6, entered: 6, receipts: 3, findings: 0 },
    });
    expect(html).toContain('Clean: no discrepancy');
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it("recomputes every pair's score for a period, with the ids behind each figure", async () => {
    const { log, notices } = cleanLog();
    const dir = archiveOf(log.records);
    const { code, report, html } = await replayArchive(
      dir,
      '--period',
      '2026-01-05T00:00:00Z/2026-01-06T00:00:00Z',
    );
    expect(code).toBe(0);
    expect(report.scores?.asOf).toBe('2026-01-07T00:00:00.000Z');
    expect(report.scores?.pairs.map((p) => [p.evaluator, p.evaluated, p.score])).toEqual([
      ['441300', '511500', 100],
      ['511500', '441300', 100],
    ]);
    expect(report.scores?.pairs[0].indicators.R.numeratorIds).toHaveLength(notices.length);
    expect(html).toContain('<th>R</th>');
  });

  it('checks a campaign result against its own recomputation: digests, not ids', async () => {
    const { log } = cleanLog();
    // a result with no figures at all: every pair and standing differs, and the report shows the right ones
    const empty = await replayArchive(
      archiveOf([
        ...log.records,
        resultRecord({ pairs: [], ranking: [], rejections: { [HUIZHOU]: NONE, [YIBIN]: NONE } }),
      ]),
    );
    expect(empty.code).toBe(2);
    const recomputed = empty.report.campaigns[0].recomputed;
    expect(recomputed?.pairs.map((p) => [p.evaluator, p.evaluated, p.score])).toEqual([
      [HUIZHOU, YIBIN, 100],
      [YIBIN, HUIZHOU, 100],
    ]);

    const figures = {
      pairs: recomputed?.pairs ?? [],
      ranking: recomputed?.ranking ?? [],
      rejections: recomputed?.rejections ?? {},
    };
    const agrees = await replayArchive(archiveOf([...log.records, resultRecord(figures)]));
    expect([agrees.code, agrees.report.findings]).toEqual([0, []]);
    expect(agrees.report.campaigns[0]).toMatchObject({ status: 'agrees', recomputed: figures });

    // the same counts, but a digest of other ids
    const other = structuredClone(figures);
    publishedIndicator(other.pairs[0], 'R')[5] = publishedIndicator(other.pairs[1], 'R')[5];
    const differs = await replayArchive(archiveOf([...log.records, resultRecord(other)]));
    expect(differs.code).toBe(2);
    expect(differs.report.findings).toEqual([
      expect.objectContaining({
        kind: 'CAMPAIGN_RESULT_MISMATCH',
        messageIds: log.records
          .filter((r) => r.topic === `${PREFIX}.inbox.${YIBIN}`)
          .map(idOf)
          .sort(),
      }),
    ]);
    expect(differs.report.findings[0].detail).toContain(`${HUIZHOU}→${YIBIN} R.digest is`);
  });

  it('says what it read of an archive that it was told to read only in part', async () => {
    const dir = archiveOf(cleanLog().log.records);
    const { code, stdout } = await replayArchive(dir, '--nodes', YIBIN);
    // the receipts are in the inbox left out: the notices are unanswered on this log
    expect(code).toBe(2);
    expect(stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(
        /^DISCREPANCIES: 6 records \(3 directory, 3 inbox, 0 evaluation\), 1 streams/,
      ),
      "the archive's manifest lists 9 records (3 directory, 6 inbox, 0 evaluation): " +
        '3 records of inboxes outside --nodes not read',
    ]);
  });

  it('counts campaign results as evaluation records, and names records an archive lost', async () => {
    const { log } = cleanLog();
    const result = resultRecord({ pairs: [], ranking: [], rejections: {} });
    const dir = archiveOf([...log.records, result]);
    const file = readdirSync(dir).find((f) => f.includes('.inbox.441300.')) as string;
    rmSync(join(dir, file));
    const { code, stdout, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(report.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'ARCHIVE_INCOMPLETE', file })]),
    );
    expect(stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^DISCREPANCIES: 7 records \(3 directory, 3 inbox, 1 evaluation\), /),
      "the archive's manifest lists 10 records (3 directory, 6 inbox, 1 evaluation): " +
        'inbox 3 read, 6 listed (see the ARCHIVE_* findings)',
    ]);
  });

  it('keeps a report already in --report-dir unless told --force', async () => {
    const dir = archiveOf(cleanLog().log.records);
    const reportDir = join(dir, '..', 'kept-report');
    const args = ['replay', '--archive', dir, '--coordinator-key', COORDINATOR_KEY];
    expect((await run(...args, '--report-dir', reportDir)).code).toBe(0);
    const first = readFileSync(join(reportDir, 'report.json'), 'utf8');
    writeFileSync(join(reportDir, 'report.html'), 'a report someone is reading');

    const again = await run(...args, '--report-dir', reportDir);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toBe(
      `auditor: ${reportDir} already holds a report (report.json, report.html): ` +
        'pass --force to overwrite it, or name another --report-dir\n',
    );
    expect(readFileSync(join(reportDir, 'report.json'), 'utf8')).toBe(first);
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toBe(
      'a report someone is reading',
    );

    const forced = await run(...args, '--report-dir', reportDir, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain('Clean: no discrepancy');
  });

  it('exits 1 when the period has not ended by the as-of instant', async () => {
    const dir = archiveOf(cleanLog().log.records);
    const early = await run(
      'replay',
      '--archive',
      dir,
      '--coordinator-key',
      COORDINATOR_KEY,
      '--period',
      '2026-01-05T00:00:00Z/2026-02-01T00:00:00Z',
    );
    expect(early).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/before the period's end/),
    });
  });

  it('exits 2 and names the file when a file no longer matches its manifest hash', async () => {
    const { log, notices } = cleanLog();
    const dir = archiveOf(log.records);
    const file = readdirSync(dir).find((f) => f.includes('.inbox.511500.')) as string;
    const text = readFileSync(join(dir, file), 'utf8');
    writeFileSync(join(dir, file), text.replace('\\"policy\\"', '\\"polica\\"'));
    const { code, report, html } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'ARCHIVE_FILE_HASH', file }),
        expect.objectContaining({ kind: 'BAD_SIGNATURE', messageIds: [idOf(notices[0])] }),
      ]),
    );
    expect(html).toContain(idOf(notices[0]));
  });

  it('reports files missing from or unknown to the manifest', async () => {
    const dir = archiveOf(cleanLog().log.records);
    writeFileSync(join(dir, 'extra.ndjson'), '');
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'ARCHIVE_INCOMPLETE', file: 'extra.ndjson' }),
    ]);
  });
});
