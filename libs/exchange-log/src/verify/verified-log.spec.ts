import { Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { signEnvelope } from '@yipanqi/exchange';
import {
  ALL_MEMBERS,
  coordinator,
  directoryRecord,
  HandLog,
  HOUR,
  HUIZHOU,
  inLogOrder,
  keys,
  PREFIX,
  SHENZHEN,
  T0,
  YIBIN,
} from '../../test/hand-log';
import { LogPlan, LogSink, LogSource } from '../log/log-source';
import { TopicRecord } from '../log/topic-record';
import { AuditDirectory } from './audit-directory';
import { LogVerifier, VerificationResult } from './log-verifier';
import { verifyLog } from './verified-log';

/** The signed part of an envelope, to sign again as someone else would. */
const unsignedOf = ({ sig: _sig, ...unsigned }: Envelope): UnsignedEnvelope => unsigned;
const directory = ALL_MEMBERS.map((c) => directoryRecord(c));
const options = { rangeStart: null, asOf: T0 + 48 * HOUR, answerWindowMs: 24 * HOUR };

/** A source that hands over its records like the archive does: waiting whenever the sink says so. */
function memorySource(records: TopicRecord[]): LogSource {
  const feed = async (list: TopicRecord[], sink: LogSink) => {
    for (const r of list) await sink.record(r);
  };
  return {
    description: { kind: 'archive', path: 'memory', topicPrefix: PREFIX },
    open: () => Promise.resolve(plan(records.length)),
    readDirectory: (sink) => feed(directory, sink),
    readInboxes: (sink) => feed(records, sink),
    readEvaluation: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

function plan(inboxRecords: number): LogPlan {
  return {
    inboxTopics: ALL_MEMBERS.map((c) => `${PREFIX}.inbox.${c}`),
    nodes: null,
    evaluationRecords: 0,
    inboxRecords,
    cutAt: options.asOf,
    from: null,
    to: null,
    findings: [],
  };
}

/** The verifier fed one record at a time, each signature checked on the main thread. */
function oneByOne(records: TopicRecord[]): {
  verifier: LogVerifier;
  result: VerificationResult;
} {
  const auditDirectory = new AuditDirectory(coordinator.signing.publicKey);
  for (const r of directory) auditDirectory.add(r);
  const verifier = new LogVerifier(auditDirectory, PREFIX);
  for (const r of records) verifier.addInboxRecord(r);
  return { verifier, result: verifier.finish(options) };
}

/**
 * Long enough that more records are in flight than the window holds, with a
 * bad signature, a wrong signer, a seq gap and a broken chain link on the way.
 */
function troubledLog(): TopicRecord[] {
  const log = new HandLog();
  const records: TopicRecord[] = [];
  for (let i = 0; i < 200; i++) {
    const notice = log.notice(i % 2 === 0 ? HUIZHOU : SHENZHEN, YIBIN);
    if (i === 40) {
      // one changed byte: the signature no longer verifies
      records.push({
        ...notice,
        value: Buffer.from(String(notice.value).replace('"policy"', '"polica"')),
      });
      continue;
    }
    if (i === 80) continue; // dropped: the next notice of its stream follows a gap
    if (i === 120) {
      // signed by another member's key
      const e = JSON.parse(String(notice.value)) as Envelope;
      const resigned = signEnvelope(unsignedOf(e), keys[SHENZHEN].signing.privateKey);
      records.push({ ...notice, value: Buffer.from(JSON.stringify(resigned)) });
      continue;
    }
    records.push(notice, log.receipt(notice));
  }
  // a link whose prevHash is not the hash of the envelope before it
  const broken = log.envelope(
    HUIZHOU,
    YIBIN,
    'notice',
    { category: 'policy', domain: 'publicity', pii: 'x.y.z' },
    { prevHash: 'AAAA' },
  );
  records.push(log.deliver(broken));
  records.push(log.notice(HUIZHOU, YIBIN));
  return inLogOrder(records);
}

describe('verifyLog (signatures checked in parallel)', () => {
  it('finds what the one-by-one verifier finds, in the same order, with the same result', async () => {
    const records = troubledLog();
    const expected = oneByOne(records);
    const entered: number[] = [];
    const verified = await verifyLog(memorySource(records), plan(records.length), {
      coordinatorKey: coordinator.signing.publicKey,
      asOf: options.asOf,
      answerWindowMs: options.answerWindowMs,
      onInboxRecord: () => entered.push(entered.length),
    });
    const kinds = verified.result.findings.map((f) => f.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['BAD_SIGNATURE', 'WRONG_SIGNER', 'SEQ_GAP', 'CHAIN_BROKEN']),
    );
    expect(verified.result).toEqual(expected.result);
    const cut = T0 + 200 * 1000;
    expect(verified.messagesAsOf(cut)).toEqual(expected.verifier.messagesAsOf(cut));
    expect(entered).toHaveLength(records.length);
  });

  it('fails the replay as the one-by-one verifier does on a record of a non-inbox topic', async () => {
    const records = troubledLog();
    records.splice(300, 0, { ...records[300], topic: `${PREFIX}.elsewhere` });
    expect(() => oneByOne(records)).toThrow(/is not an inbox topic/);
    await expect(
      verifyLog(memorySource(records), plan(records.length), {
        coordinatorKey: coordinator.signing.publicKey,
        asOf: options.asOf,
        answerWindowMs: options.answerWindowMs,
      }),
    ).rejects.toThrow(/is not an inbox topic/);
  });
});
