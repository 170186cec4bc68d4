/**
 * Evaluation campaigns end to end on the real broker (DESIGN §7, §8): two
 * nodes agree and exchange notices, the coordinator defines a campaign over
 * that period, computes it from the log and publishes the signed result; the
 * auditor replays an export, recomputes the campaign and agrees figure for
 * figure — and finds a result whose figure was altered (re-signed, or not).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { In, IsNull, Not } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ANSWER_TYPES, evaluationTopic } from '@yipanqi/contracts';
import { OutboxMessage } from '@yipanqi/exchange';
import {
  CampaignResult,
  evidenceDigest,
  publishedIndicator,
  signCampaignResult,
  UnsignedCampaignResult,
} from '@yipanqi/exchange-log';
import { ArchiveLine, ArchiveManifest } from '../../apps/auditor/src/archive/archive-format';
import { runAuditorCli } from '../../apps/auditor/src/cli';
import { AuditReport } from '../../apps/auditor/src/report/audit-report';
import { CampaignView, EvidenceView } from '../../apps/coordinator/src/campaigns/campaign.views';
import { api, establishAgreement } from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { kafkaSettingsFromEnv } from '@yipanqi/kafka-access';

const HUIZHOU = '441300';
const YIBIN = '511500';
/** a valid division code the test network's directory does not list */
const BEIJING = '110000';
const WEIGHTS = { R: 40, V: 20, T: 20, Q: 20, S: 0 };

class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, next: () => void): void {
    this.text += chunk.toString();
    next();
  }
}

async function auditor(...args: string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new Collected();
  const stderr = new Collected();
  const code = await runAuditorCli(['node', 'auditor', ...args], { stdout, stderr, env: {} });
  return { code, stderr: stderr.text };
}

const unsignedOf = ({ sig: _sig, ...unsigned }: CampaignResult): UnsignedCampaignResult => unsigned;

/** an instant on a whole second, as the API takes it */
const instant = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';

/** nothing left to publish, and every message but answers has its answer */
async function settled(node: TestNode): Promise<boolean> {
  const outbox = node.db.getRepository(OutboxMessage);
  const unsent = await outbox.count({ where: { sentAt: IsNull() } });
  const unanswered = await outbox.count({
    where: { answer: IsNull(), type: Not(In([...ANSWER_TYPES])) },
  });
  return unsent === 0 && unanswered === 0;
}

describe('evaluation campaigns on the coordinator, checked by the auditor', () => {
  let net: TestNetwork;
  let work: string;
  let archive: string;
  let periodStart: string;
  let periodEnd: string;
  let campaign: CampaignView;
  let result: CampaignResult;
  /** the ids behind Huizhou's R score of Yibin, as the coordinator serves them */
  let evidence: EvidenceView;

  /** the ids of the messages (but answers) Huizhou sent Yibin */
  const huizhouSent = async () =>
    (
      await net.nodes[HUIZHOU].db
        .getRepository(OutboxMessage)
        .find({ where: { peer: YIBIN, type: Not(In([...ANSWER_TYPES])) } })
    ).map((m) => m.id);

  const coordinatorApi = <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    role: 'coordinator' | 'auditor' | 'admin' = 'coordinator',
  ) => api<T>(net.coordinator, method, path, body, role);

  beforeAll(async () => {
    periodStart = instant(Date.now() - 1000);
    net = await startTestNetwork([HUIZHOU, YIBIN]);
    const [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    await establishAgreement(huizhou, yibin, YIBIN);
    const notice = (to: string, i: number) => ({
      to,
      category: 'policy',
      domain: 'publicity',
      title: `通报 ${i}`,
      text: '考核期内的工作通报',
    });
    for (let i = 0; i < 3; i++) {
      expect((await api(huizhou, 'POST', '/notices', notice(YIBIN, i))).status).toBe(202);
    }
    for (let i = 0; i < 2; i++) {
      expect((await api(yibin, 'POST', '/notices', notice(HUIZHOU, i))).status).toBe(202);
    }
    await eventually(
      async () => (await Promise.all([huizhou, yibin].map(settled))).every(Boolean),
      60000,
      'every message published and answered',
    );
    // the period ends on the next whole second, which must have passed before as-of
    const end = Math.ceil((Date.now() + 1) / 1000) * 1000;
    periodEnd = instant(end);
    await new Promise((r) => setTimeout(r, end - Date.now() + 50));
    work = mkdtempSync(join(tmpdir(), 'yipanqi-campaigns-'));
    archive = join(work, 'archive');
  });

  afterAll(async () => {
    await net.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses campaigns DESIGN §7 cannot score, each with its code', async () => {
    const valid = { name: '季度互评', periodStart, periodEnd, participants: [HUIZHOU, YIBIN] };
    const refusals: [unknown, number, string][] = [
      [{ ...valid, periodEnd: periodStart }, 422, 'PERIOD_INVALID'],
      [{ ...valid, periodStart: '2026-01-01T00:00:00' }, 422, 'PERIOD_INVALID'],
      [{ ...valid, participants: [HUIZHOU] }, 422, 'TOO_FEW_PARTICIPANTS'],
      [{ ...valid, participants: [HUIZHOU, HUIZHOU] }, 422, 'PARTICIPANT_REPEATED'],
      [{ ...valid, participants: [HUIZHOU, BEIJING] }, 422, 'UNKNOWN_PARTICIPANT'],
      [{ ...valid, weights: { R: 0, V: 0, T: 0, Q: 0, S: 0 } }, 422, 'WEIGHTS_ALL_ZERO'],
      [{ ...valid, rounds: 2 }, 400, 'UNKNOWN_FIELD'],
      [{ ...valid, weights: { ...WEIGHTS, X: 1 } }, 400, 'UNKNOWN_FIELD'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await coordinatorApi('POST', '/campaigns', body);
      expect([res.status, res.body.code]).toEqual([status, code]);
    }
    expect((await coordinatorApi('POST', '/campaigns', valid, 'auditor')).status).toBe(403);
  });

  it('computes a campaign from the log, ranks it and publishes one signed result', async () => {
    const created = await coordinatorApi<CampaignView>('POST', '/campaigns', {
      name: '2026 年互评',
      periodStart,
      periodEnd,
      participants: [YIBIN, HUIZHOU],
      weights: WEIGHTS,
    });
    expect(created.status).toBe(201);
    campaign = created.body;
    expect(campaign).toMatchObject({ participants: [HUIZHOU, YIBIN], latestResult: null });

    const early = await coordinatorApi('POST', `/campaigns/${campaign.id}/results`, {
      asOf: periodStart,
    });
    expect([early.status, early.body.code]).toEqual([422, 'AS_OF_BEFORE_PERIOD_END']);

    const computed = await coordinatorApi<CampaignResult>(
      'POST',
      `/campaigns/${campaign.id}/results`,
      {},
    );
    expect(computed.status).toBe(201);
    result = computed.body;
    expect(result.pairs.map((p) => [p.evaluator, p.evaluated])).toEqual([
      [HUIZHOU, YIBIN],
      [YIBIN, HUIZHOU],
    ]);
    // every message receipted within seconds: each scores the other 100, under the campaign's weights
    expect(result.pairs.map((p) => p.score)).toEqual([100, 100]);
    // the proposal and three notices from Huizhou, each receipted in time
    const [weight, items, numerator, denominator, pending] = publishedIndicator(
      result.pairs[0],
      'R',
    );
    expect([weight, items, numerator, pending]).toEqual([40, denominator, denominator, 0]);
    expect(denominator).toBeGreaterThanOrEqual(4);
    expect(result.ranking.map((s) => [s.rank, s.score, s.exactScore])).toEqual([
      [1, 100, '100/1'],
      [2, 100, '100/1'],
    ]);
    // the record names no message: its digests stand for the ids
    for (const id of (await huizhouSent()).slice(0, 4)) {
      expect(JSON.stringify(result)).not.toContain(id);
    }

    const read = await coordinatorApi<CampaignView>(
      'GET',
      `/campaigns/${campaign.id}`,
      undefined,
      'auditor',
    );
    expect(read.body).toMatchObject({ results: 1, latestResult: result });

    await exportArchive(archive);
    const [line, ...more] = evaluationLines(archive);
    expect(more).toEqual([]);
    expect(line.key).toBe(campaign.id);
    expect(JSON.parse(line.value as string)).toEqual(result);
  });

  it('serves the ids behind a published digest, to coordinators and auditors', async () => {
    const path = `/campaigns/${campaign.id}/results/${result.resultId}/evidence`;
    const served = await coordinatorApi<EvidenceView>(
      'GET',
      `${path}?pair=${HUIZHOU}-${YIBIN}&indicator=R`,
      undefined,
      'auditor',
    );
    expect(served.status).toBe(200);
    evidence = served.body;
    const [, , numerator, denominator, , digest] = publishedIndicator(result.pairs[0], 'R');
    expect(evidence).toMatchObject({
      evaluator: HUIZHOU,
      evaluated: YIBIN,
      indicator: 'R',
      digest,
    });
    expect(evidenceDigest(evidence)).toBe(digest);
    expect(evidence.numeratorIds).toHaveLength(numerator);
    expect(evidence.denominatorIds).toHaveLength(denominator);
    expect(evidence.pendingIds).toEqual([]);
    expect((await huizhouSent()).filter((id) => evidence.denominatorIds.includes(id))).toHaveLength(
      denominator,
    );

    const refusals: [string, number, string][] = [
      [`${path}?pair=${HUIZHOU}-${YIBIN}&indicator=X`, 400, 'VALIDATION_FAILED'],
      [`${path}?pair=${HUIZHOU}&indicator=R`, 400, 'VALIDATION_FAILED'],
      [`${path}?pair=${HUIZHOU}-${HUIZHOU}&indicator=R`, 404, 'PAIR_NOT_FOUND'],
      [`${path}?pair=${HUIZHOU}-${BEIJING}&indicator=R`, 404, 'PAIR_NOT_FOUND'],
      [
        `/campaigns/${campaign.id}/results/${uuidv7()}/evidence?pair=${HUIZHOU}-${YIBIN}&indicator=R`,
        404,
        'RESULT_NOT_FOUND',
      ],
      [
        `/campaigns/${uuidv7()}/results/${result.resultId}/evidence?pair=${HUIZHOU}-${YIBIN}&indicator=R`,
        404,
        'CAMPAIGN_NOT_FOUND',
      ],
    ];
    for (const [url, status, code] of refusals) {
      const res = await coordinatorApi('GET', url);
      expect([url, res.status, res.body.code]).toEqual([url, status, code]);
    }
    const admin = await coordinatorApi(
      'GET',
      `${path}?pair=${HUIZHOU}-${YIBIN}&indicator=R`,
      undefined,
      'admin',
    );
    expect(admin.status).toBe(403);
  });

  it('the auditor recomputes the campaign from the log and agrees figure for figure', async () => {
    const { code, report } = await replay(archive);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.campaigns).toHaveLength(1);
    const [check] = report.campaigns;
    expect(check).toMatchObject({ campaignId: campaign.id, status: 'agrees', differences: [] });
    expect(check.recomputed?.pairs).toEqual(result.pairs);
    expect(check.recomputed?.ranking).toEqual(result.ranking);
  });

  it('finds a re-signed result with one altered figure, naming the figure and its messages', async () => {
    const altered = alteredResult((r) => {
      publishedIndicator(r.pairs[0], 'R')[2] -= 1;
      return signCampaignResult(r, net.coordinator.keys.signing.privateKey);
    });
    const { code, report } = await replay(altered);
    expect(code).toBe(2);
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'CAMPAIGN_RESULT_MISMATCH',
        messageIds: expect.arrayContaining(evidence.numeratorIds),
        topic: evaluationTopic(net.topicPrefix),
      }),
    ]);
    expect(report.findings[0].detail).toContain(campaign.id);
    const numerator = publishedIndicator(result.pairs[0], 'R')[2];
    expect(report.findings[0].detail).toContain(
      `${HUIZHOU}→${YIBIN} R.numerator is ${numerator - 1} as published, ${numerator} recomputed`,
    );
    expect(report.campaigns[0]).toMatchObject({ status: 'differs' });
  });

  it('finds a re-signed result whose digest stands for other ids, naming pair and indicator', async () => {
    // the same counts, but one message fewer on time and another one more than the log shows
    const [dropped] = evidence.numeratorIds;
    const claimed = { ...evidence, numeratorIds: [...evidence.numeratorIds.slice(1), 'another'] };
    const altered = alteredResult((r) => {
      publishedIndicator(r.pairs[0], 'R')[5] = evidenceDigest(claimed);
      return signCampaignResult(r, net.coordinator.keys.signing.privateKey);
    });
    const { code, report } = await replay(altered);
    expect(code).toBe(2);
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'CAMPAIGN_RESULT_MISMATCH',
        messageIds: [...new Set([...evidence.denominatorIds, ...evidence.numeratorIds])].sort(),
      }),
    ]);
    expect(report.findings[0].messageIds).toContain(dropped);
    expect(report.findings[0].detail).toContain(`${HUIZHOU}→${YIBIN} R.digest is`);
  });

  it('finds an altered figure under the original signature', async () => {
    const altered = alteredResult((r) => {
      r.ranking[1].score = 99.5;
      return { ...r, sig: result.sig };
    });
    const { code, report } = await replay(altered);
    expect(code).toBe(2);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'CAMPAIGN_RESULT_SIGNATURE', messageIds: [] }),
    ]);
    expect(report.findings[0].detail).toContain(campaign.id);
    expect(report.campaigns[0]).toMatchObject({ status: 'bad-signature', recomputed: null });
  });

  it('keeps a published result: recomputed with its as-of from the grown log, every figure is the same', async () => {
    const [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    const notice = { category: 'policy', domain: 'publicity', title: '期后通报', text: '考核期后' };
    expect((await api(huizhou, 'POST', '/notices', { ...notice, to: YIBIN })).status).toBe(202);
    expect((await api(yibin, 'POST', '/notices', { ...notice, to: HUIZHOU })).status).toBe(202);
    await eventually(
      async () => (await Promise.all([huizhou, yibin].map(settled))).every(Boolean),
      60000,
      'the later notices published and answered',
    );
    const again = await coordinatorApi<CampaignResult>(
      'POST',
      `/campaigns/${campaign.id}/results`,
      { asOf: new Date(result.asOf).toISOString() },
    );
    expect(again.status).toBe(201);
    expect(again.body.resultId).not.toBe(result.resultId);
    expect(again.body.pairs).toEqual(result.pairs);
    expect(again.body.ranking).toEqual(result.ranking);

    const grown = join(work, 'grown');
    await exportArchive(grown);
    const { code, report } = await replay(grown);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.campaigns.map((c) => [c.resultId, c.status])).toEqual([
      [result.resultId, 'agrees'],
      [again.body.resultId, 'agrees'],
    ]);
  });

  function evaluationFile(dir: string): string {
    const manifest = JSON.parse(
      readFileSync(join(dir, 'manifest.json'), 'utf8'),
    ) as ArchiveManifest;
    const entry = manifest.files.find((f) => f.topic === evaluationTopic(net.topicPrefix));
    if (!entry) throw new Error('the export holds no evaluation topic');
    return entry.file;
  }

  function evaluationLines(dir: string): ArchiveLine[] {
    return readFileSync(join(dir, evaluationFile(dir)), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ArchiveLine);
  }

  let copies = 0;
  /**
   * A copy of the export whose published result is replaced by `change`'s,
   * the manifest rewritten to match, as someone with write access would.
   */
  function alteredResult(change: (r: UnsignedCampaignResult) => CampaignResult): string {
    const dir = join(work, `altered-${++copies}`);
    cpSync(archive, dir, { recursive: true });
    const [line] = evaluationLines(dir);
    line.value = JSON.stringify(change(unsignedOf(JSON.parse(line.value as string))));
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    const file = evaluationFile(dir);
    writeFileSync(join(dir, file), bytes);
    const manifest = JSON.parse(
      readFileSync(join(dir, 'manifest.json'), 'utf8'),
    ) as ArchiveManifest;
    const entry = manifest.files.find((f) => f.file === file) as ArchiveManifest['files'][number];
    entry.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    return dir;
  }

  /** the auditor exports the whole log as it stands into `out` */
  async function exportArchive(out: string): Promise<void> {
    const exported = await auditor(
      'export',
      '--out',
      out,
      '--brokers',
      kafkaSettingsFromEnv().brokers.join(','),
      '--kafka-credentials',
      net.coordinator.auditorCredentials,
      '--topic-prefix',
      net.topicPrefix,
      '--no-progress',
    );
    expect(exported).toEqual({ code: 0, stderr: '' });
  }

  async function replay(dir: string): Promise<{ code: number; report: AuditReport }> {
    const reportDir = `${dir}-report`;
    const { code, stderr } = await auditor(
      'replay',
      '--archive',
      dir,
      '--coordinator-key',
      net.coordinator.publicKey,
      '--report-dir',
      reportDir,
      '--no-progress',
    );
    expect(stderr).toBe('');
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as AuditReport;
    return { code, report };
  }
});
