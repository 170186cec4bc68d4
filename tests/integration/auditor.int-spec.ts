/**
 * The auditor against a real exchange on the real broker (DESIGN §8): a small
 * network exchanges an agreement and a few notices, the auditor exports the
 * log and replays the export and the cluster — clean — and then copies of the
 * export altered as an attacker with write access to the archive would
 * (manifest hashes recomputed, so only the signed log can tell) — each found
 * and named by message id.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { In, IsNull, Not } from 'typeorm';
import { ANSWER_TYPES, Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { generateNodeKeys } from '@yipanqi/crypto';
import { envelopeHash, OutboxMessage, signEnvelope } from '@yipanqi/exchange';
import { ArchiveLine, ArchiveManifest } from '../../apps/auditor/src/archive/archive-format';
import { runAuditorCli } from '../../apps/auditor/src/cli';
import { AuditReport } from '../../apps/auditor/src/report/audit-report';
import { api, establishAgreement } from '../support/agreements';
import { ArrivalRows, csvFile, importSettles, uploadCsv } from '../support/campaign-import';
import {
  eventually,
  restartTestNode,
  startTestNetwork,
  TestNetwork,
  TestNode,
} from '../support/city-nodes';
import { kafkaSettingsFromEnv } from '@yipanqi/kafka-access';

const HUIZHOU = '441300';
const YIBIN = '511500';
/** a member that runs no node: its key re-signs a receipt */
const SHENZHEN = '440300';

class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, next: () => void): void {
    this.text += chunk.toString();
    next();
  }
}

async function auditor(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Collected();
  const stderr = new Collected();
  const code = await runAuditorCli(['node', 'auditor', ...args], { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** One archive file, line by line, to alter and write back. */
interface ArchiveFileLines {
  file: string;
  lines: ArchiveLine[];
}

const envelopeOf = (line: ArchiveLine) => JSON.parse(line.value as string) as Envelope;
const unsignedOf = ({ sig: _sig, ...unsigned }: Envelope): UnsignedEnvelope => unsigned;
const header = (line: ArchiveLine, name: string) => line.headers.find(([n]) => n === name)?.[1];

describe('auditor replaying a real exchange', () => {
  let net: TestNetwork;
  let work: string;
  let archive: string;
  let coordinatorKey: string;
  let brokers: string;
  /** what `export` printed */
  let exportedStdout: string;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN, SHENZHEN]);
    const [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    await establishAgreement(huizhou, yibin, YIBIN);
    const notice = (to: string, i: number) => ({
      to,
      category: 'policy',
      domain: 'publicity',
      title: `通报 ${i}`,
      text: '宣传教育活动安排',
    });
    for (let i = 0; i < 4; i++) {
      expect((await api(huizhou, 'POST', '/notices', notice(YIBIN, i))).status).toBe(202);
    }
    expect((await api(yibin, 'POST', '/notices', notice(HUIZHOU, 9))).status).toBe(202);
    await eventually(
      async () => (await Promise.all([huizhou, yibin].map(settled))).every(Boolean),
      60000,
      'every message published and answered',
    );
    // the replay's period ends at the export's cut truncated to the second: a fast
    // exchange could otherwise fall entirely within the cut's own second, outside it
    await new Promise((r) => setTimeout(r, 1100));
    work = mkdtempSync(join(tmpdir(), 'yipanqi-audit-'));
    archive = join(work, 'archive');
    coordinatorKey = net.coordinator.publicKey;
    brokers = kafkaSettingsFromEnv().brokers.join(',');
    const exported = await auditor(
      'export',
      '--out',
      archive,
      '--brokers',
      brokers,
      '--kafka-credentials',
      net.coordinator.auditorCredentials,
      '--topic-prefix',
      net.topicPrefix,
    );
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    exportedStdout = exported.stdout;
  });

  /** "14 records (3 directory, 10 inbox, 1 evaluation)" of a command's output */
  const countsIn = (stdout: string) =>
    /\d+ records? \(\d+ directory, \d+ inbox, \d+ evaluation\)/.exec(stdout)?.[0];

  afterAll(async () => {
    await net.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** nothing left to publish, and every message but answers has its answer */
  async function settled(node: TestNode): Promise<boolean> {
    const outbox = node.db.getRepository(OutboxMessage);
    const unsent = await outbox.count({ where: { sentAt: IsNull() } });
    const unanswered = await outbox.count({
      where: { answer: IsNull(), type: Not(In([...ANSWER_TYPES])) },
    });
    return unsent === 0 && unanswered === 0;
  }

  async function replayArchive(
    dir: string,
    ...options: string[]
  ): Promise<{ code: number; stdout: string; report: AuditReport }> {
    const reportDir = `${dir}-report`;
    const { code, stdout, stderr } = await auditor(
      'replay',
      '--archive',
      dir,
      '--coordinator-key',
      coordinatorKey,
      '--report-dir',
      reportDir,
      '--no-progress',
      ...options,
    );
    expect(stderr).toBe('');
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as AuditReport;
    return { code, stdout, report };
  }

  let copies = 0;
  /**
   * A copy of the export with one inbox file altered by `change`, and the
   * manifest rewritten to match (hash, count, offset range), as an attacker
   * would.
   */
  function alteredCopy(
    inbox: string,
    sender: string,
    change: (f: ArchiveFileLines) => void,
  ): string {
    const dir = join(work, `altered-${++copies}`);
    cpSync(archive, dir, { recursive: true });
    const manifest = JSON.parse(
      readFileSync(join(dir, 'manifest.json'), 'utf8'),
    ) as ArchiveManifest;
    const entry = manifest.files.find((f) => {
      if (f.topic !== `${net.topicPrefix}.inbox.${inbox}` || f.records === 0) return false;
      return readFileSync(join(dir, f.file), 'utf8').includes(`"key":"${sender}"`);
    });
    if (!entry) throw new Error(`no file of ${inbox}'s inbox holds ${sender}'s stream`);
    const text = readFileSync(join(dir, entry.file), 'utf8');
    const lines = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ArchiveLine);
    change({ file: entry.file, lines });
    const bytes = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    writeFileSync(join(dir, entry.file), bytes);
    entry.sha256 = createHash('sha256').update(bytes).digest('hex');
    entry.records = lines.length;
    const last = lines[lines.length - 1];
    entry.endOffset = String(Math.max(Number(entry.endOffset), Number(last.offset) + 1));
    entry.lastTimestamp = last.timestamp;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    return dir;
  }

  /** lines of `type` sent by `sender`, in offset order */
  const linesOf = (f: ArchiveFileLines, sender: string, type: string) =>
    f.lines.filter((l) => l.key === sender && header(l, 'type') === type);

  const findingsOf = (report: AuditReport, kind: string) =>
    report.findings.filter((f) => f.kind === kind);

  it('replays its own export clean, with every stream and answer accounted for', async () => {
    const cut = (
      JSON.parse(readFileSync(join(archive, 'manifest.json'), 'utf8')) as ArchiveManifest
    ).cutAt;
    const start = new Date(Date.parse(cut) - 3600_000).toISOString().slice(0, 19) + 'Z';
    const end = cut.slice(0, 19) + 'Z';
    const { code, stdout, report } = await replayArchive(archive, '--period', `${start}/${end}`);
    expect(report.findings).toEqual([]);
    // the export's figures, under the same names, and nothing that differs to explain
    expect(countsIn(exportedStdout)).toMatch(
      /^\d+ records \(\d+ directory, \d+ inbox, 0 evaluation\)$/,
    );
    expect(countsIn(stdout)).toBe(countsIn(exportedStdout));
    expect(stdout.split('\n')[1]).toMatch(/report\.html$/);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ directoryMembers: 3, findings: 0, awaitingAnswers: 0 });
    // agreement + notices each way, and the receipts back
    expect(report.streams.map((s) => s.stream).sort()).toEqual(['441300→511500', '511500→441300']);
    expect(report.summary.receipts).toBeGreaterThanOrEqual(6);
    const manifest = JSON.parse(
      readFileSync(join(archive, 'manifest.json'), 'utf8'),
    ) as ArchiveManifest;
    expect(manifest.topicPrefix).toBe(net.topicPrefix);
    // every message was receipted within seconds: each side scores the other 100, with the
    // weights of their agreement (the API's defaults)
    expect(report.scores?.pairs.map((p) => [p.evaluator, p.evaluated, p.score])).toEqual([
      [HUIZHOU, YIBIN, 100],
      [YIBIN, HUIZHOU, 100],
    ]);
    expect(report.scores?.pairs[0].indicators.R).toMatchObject({ weight: 20, x: 1 });
    expect(manifest.files.reduce((n, f) => n + f.records, 0)).toBe(
      report.summary.inboxRecords +
        report.summary.directoryRecords +
        report.summary.campaignResults,
    );
  });

  it('replays the cluster directly, clean', async () => {
    const reportDir = join(work, 'kafka-report');
    const { code, stdout } = await auditor(
      'replay',
      '--brokers',
      brokers,
      '--kafka-credentials',
      net.coordinator.auditorCredentials,
      '--topic-prefix',
      net.topicPrefix,
      '--coordinator-key',
      coordinatorKey,
      '--report-dir',
      reportDir,
      '--no-progress',
    );
    expect(stdout).toMatch(/^clean: /);
    expect(code).toBe(0);
    // nothing was appended since the export: the cluster holds what the archive holds
    expect(countsIn(stdout)).toBe(countsIn(exportedStdout));
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as AuditReport;
    expect(report.source).toMatchObject({ kind: 'kafka', topicPrefix: net.topicPrefix });
    // the same records as the export holds
    const manifest = JSON.parse(
      readFileSync(join(archive, 'manifest.json'), 'utf8'),
    ) as ArchiveManifest;
    const exportedInbox = manifest.files.filter((f) => f.topic.includes('.inbox.'));
    expect(report.summary.inboxRecords).toBe(exportedInbox.reduce((n, f) => n + f.records, 0));
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain('Clean: no discrepancy');
  });

  it('finds one changed payload byte: the signature fails for that message', async () => {
    let changed = '';
    const dir = alteredCopy(YIBIN, HUIZHOU, (f) => {
      const line = linesOf(f, HUIZHOU, 'notice')[1];
      changed = envelopeOf(line).id;
      const value = line.value as string;
      const at = value.indexOf('"pii":"') + 20;
      line.value = value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
    });
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(findingsOf(report, 'BAD_SIGNATURE')).toEqual([
      expect.objectContaining({ messageIds: [changed], stream: '441300→511500' }),
    ]);
    // Yibin's receipt pins the original content
    expect(findingsOf(report, 'ANSWER_HASH_MISMATCH')[0].messageIds).toContain(changed);
  });

  it('finds a dropped message: the gap, and a receipt for a message the log lacks', async () => {
    let dropped = '';
    let next = '';
    const dir = alteredCopy(YIBIN, HUIZHOU, (f) => {
      const [, second, third] = linesOf(f, HUIZHOU, 'notice');
      dropped = envelopeOf(second).id;
      next = envelopeOf(third).id;
      f.lines.splice(f.lines.indexOf(second), 1);
    });
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(findingsOf(report, 'ANSWER_UNKNOWN_MESSAGE')).toEqual([
      expect.objectContaining({ messageIds: [expect.any(String), dropped] }),
    ]);
    expect(findingsOf(report, 'SEQ_GAP')).toEqual([
      expect.objectContaining({ stream: '441300→511500' }),
    ]);
    expect(findingsOf(report, 'SEQ_GAP')[0].messageIds[0]).toBe(next);
  });

  it('finds two swapped messages, naming both', async () => {
    const swapped: string[] = [];
    const dir = alteredCopy(YIBIN, HUIZHOU, (f) => {
      const [, second, third] = linesOf(f, HUIZHOU, 'notice');
      swapped.push(envelopeOf(third).id, envelopeOf(second).id);
      // contents trade places; offsets and broker times stay where they were
      const moved = ['key', 'headers', 'value'] as const;
      const keep = { key: second.key, headers: second.headers, value: second.value };
      for (const field of moved) Object.assign(second, { [field]: third[field] });
      Object.assign(third, keep);
    });
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    const [reordered] = findingsOf(report, 'OUT_OF_ORDER');
    expect(reordered.messageIds.slice(0, 2)).toEqual(swapped);
  });

  it('finds a forged receipt signed by a key outside the directory', async () => {
    let forged = '';
    const dir = alteredCopy(HUIZHOU, YIBIN, (f) => {
      const fromYibin = f.lines.filter((l) => l.key === YIBIN);
      const last = fromYibin[fromYibin.length - 1];
      const lastEnvelope = envelopeOf(last);
      const notice = envelopeOf(f.lines.find((l) => header(l, 'type') === 'notice') ?? last);
      const envelope = signEnvelope(
        {
          ...unsignedOf(lastEnvelope),
          id: '01900000-0000-7000-8000-00000000f04e',
          type: 'receipt',
          seq: lastEnvelope.seq + 1,
          prevHash: envelopeHash(lastEnvelope),
          causationId: notice.id,
          payload: {
            messageId: notice.id,
            messageHash: envelopeHash(notice),
            brokerTime: last.timestamp,
          },
        },
        generateNodeKeys().signing.privateKey,
      );
      forged = envelope.id;
      const tail = f.lines[f.lines.length - 1];
      f.lines.push({
        ...tail,
        offset: String(Number(tail.offset) + 1),
        timestamp: tail.timestamp + 1,
        key: YIBIN,
        headers: [
          ['type', 'receipt'],
          ['id', envelope.id],
        ],
        value: JSON.stringify(envelope),
      });
    });
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'BAD_SIGNATURE',
        messageIds: [forged],
        stream: '511500→441300',
        topic: `${net.topicPrefix}.inbox.${HUIZHOU}`,
      }),
    ]);
  });

  it("finds a receipt re-signed with another member's key", async () => {
    let resigned = '';
    const dir = alteredCopy(HUIZHOU, YIBIN, (f) => {
      const line = linesOf(f, YIBIN, 'receipt')[2];
      const unsigned = unsignedOf(envelopeOf(line));
      resigned = unsigned.id;
      line.value = JSON.stringify(signEnvelope(unsigned, net.keys[SHENZHEN].signing.privateKey));
    });
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(findingsOf(report, 'WRONG_SIGNER')).toEqual([
      expect.objectContaining({
        messageIds: [resigned],
        detail: expect.stringMatching(/signed with 440300's key/),
      }),
    ]);
  });

  it('finds a file changed without its manifest entry', async () => {
    const dir = join(work, 'changed-file');
    cpSync(archive, dir, { recursive: true });
    const manifest = JSON.parse(
      readFileSync(join(dir, 'manifest.json'), 'utf8'),
    ) as ArchiveManifest;
    const file = manifest.files.find((f) => f.records > 0 && f.topic.includes('.inbox.'));
    if (!file) throw new Error('no inbox file with records');
    const text = readFileSync(join(dir, file.file), 'utf8');
    writeFileSync(
      join(dir, file.file),
      text.replace(/"timestamp":(\d+)/, (_m, t: string) => `"timestamp":${Number(t) + 1}`),
    );
    const { code, report } = await replayArchive(dir);
    expect(code).toBe(2);
    expect(findingsOf(report, 'ARCHIVE_FILE_HASH')).toEqual([
      expect.objectContaining({ file: file.file }),
    ]);
  });

  // last: it stops 宜宾 and leaves the cluster's log with more than the export
  it('counts as unanswered what the auditor finds awaiting an answer, never receipts', async () => {
    const huizhou = net.nodes[HUIZHOU];
    interface Outbox {
      pending: number;
      unanswered: number;
    }
    interface Awaiting {
      total: number;
      bySender: Record<string, number>;
    }
    const monitor = async (node: TestNode) => {
      const res = await api<Outbox>(node, 'GET', '/exchange/outbox', undefined, 'auditor');
      expect(res.status).toBe(200);
      return res.body;
    };
    let replays = 0;
    const awaitingInCluster = async (): Promise<Awaiting> => {
      const reportDir = join(work, `monitor-report-${++replays}`);
      const { code, stderr } = await auditor(
        'replay',
        '--brokers',
        brokers,
        '--kafka-credentials',
        net.coordinator.auditorCredentials,
        '--topic-prefix',
        net.topicPrefix,
        '--coordinator-key',
        coordinatorKey,
        '--report-dir',
        reportDir,
        '--no-progress',
      );
      expect([code, stderr]).toEqual([0, '']);
      const report = JSON.parse(
        readFileSync(join(reportDir, 'report.json'), 'utf8'),
      ) as AuditReport;
      const bySender = (code: string) =>
        report.awaitingAnswers.filter((a) => a.stream.startsWith(`${code}→`)).length;
      return {
        total: report.summary.awaitingAnswers,
        bySender: { [HUIZHOU]: bySender(HUIZHOU), [YIBIN]: bySender(YIBIN) },
      };
    };

    // every message so far is answered; each node's outbox still holds the receipts it sent
    expect(await monitor(huizhou)).toMatchObject({ pending: 0, unanswered: 0 });
    expect(await monitor(net.nodes[YIBIN])).toMatchObject({ pending: 0, unanswered: 0 });
    expect((await awaitingInCluster()).total).toBe(0);

    let whileDown: { monitor: Outbox; auditor: Awaiting } | undefined;
    const yibin = await restartTestNode(net, YIBIN, async () => {
      // 宜宾 is down: two notices and a campaign import's bulk reach its inbox, unanswered
      for (const i of [20, 21]) {
        const notice = {
          to: YIBIN,
          category: 'policy',
          domain: 'publicity',
          title: `通报 ${i}`,
          text: '安排',
        };
        expect((await api(huizhou, 'POST', '/notices', notice)).status).toBe(202);
      }
      const rows = new ArrivalRows(5115);
      const upload = await uploadCsv(huizhou, 'monitor-check', csvFile([rows.row(), rows.row()]));
      expect(upload.status).toBe(202);
      expect(await importSettles(huizhou, upload.body.id)).toMatchObject({
        status: 'done',
        rowsCommitted: 2,
      });
      await eventually(
        async () => (await monitor(huizhou)).pending === 0,
        60000,
        "惠州's outbox published",
      );
      whileDown = { monitor: await monitor(huizhou), auditor: await awaitingInCluster() };
    });
    // the same figure on the same log: the two notices and the bulk
    expect(whileDown?.monitor.unanswered).toBe(whileDown?.auditor.bySender[HUIZHOU]);
    expect(whileDown?.auditor).toEqual({ total: 3, bySender: { [HUIZHOU]: 3, [YIBIN]: 0 } });

    // 宜宾 is back and answers: its receipts, themselves unanswered, are not counted
    await eventually(
      async () => (await monitor(huizhou)).unanswered === 0,
      60000,
      "宜宾's receipts at 惠州",
    );
    await eventually(
      async () => (await monitor(yibin)).pending === 0,
      60000,
      "宜宾's receipts sent",
    );
    expect(await monitor(yibin)).toMatchObject({ pending: 0, unanswered: 0 });
    expect(await awaitingInCluster()).toEqual({
      total: 0,
      bySender: { [HUIZHOU]: 0, [YIBIN]: 0 },
    });
  });
});
