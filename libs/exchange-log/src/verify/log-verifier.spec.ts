import { v7 as uuidv7 } from 'uuid';
import { Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { generateNodeKeys } from '@yipanqi/crypto';
import { signEnvelope } from '@yipanqi/exchange';
import {
  ALL_MEMBERS,
  cleanLog,
  coordinator,
  directoryRecord,
  HandLog,
  HOUR,
  HUIZHOU,
  idOf,
  inLogOrder,
  keys,
  PREFIX,
  SHENZHEN,
  T0,
  YIBIN,
} from '../../test/hand-log';
import { TopicRecord } from '../log/topic-record';
import { AuditDirectory } from './audit-directory';
import { LogVerifier, VerificationOptions, VerificationResult } from './log-verifier';

function verifier(
  records: TopicRecord[],
  directory: TopicRecord[] = ALL_MEMBERS.map((c) => directoryRecord(c)),
): LogVerifier {
  const auditDirectory = new AuditDirectory(coordinator.signing.publicKey);
  for (const r of directory) auditDirectory.add(r);
  const v = new LogVerifier(auditDirectory, PREFIX);
  for (const r of records) v.addInboxRecord(r);
  return v;
}

function verify(
  records: TopicRecord[],
  options: Partial<VerificationOptions> = {},
  directory?: TopicRecord[],
): VerificationResult {
  return verifier(records, directory).finish({
    rangeStart: null,
    asOf: T0 + 48 * HOUR,
    answerWindowMs: 24 * HOUR,
    ...options,
  });
}

/** What entered by broker time `cut`, judged on `records` (which may hold later ones too). */
function messagesAsOf(records: TopicRecord[], cut: number) {
  const v = verifier(records);
  v.finish({ rangeStart: null, asOf: T0 + 48 * HOUR, answerWindowMs: 24 * HOUR });
  return v.messagesAsOf(cut);
}

/** The signed part of an envelope, to sign again as someone else would. */
const unsignedOf = ({ sig: _sig, ...unsigned }: Envelope): UnsignedEnvelope => unsigned;
const kinds = (result: VerificationResult) => result.findings.map((f) => f.kind);
const withValue = (record: TopicRecord, value: string): TopicRecord => ({
  ...record,
  value: Buffer.from(value),
});

describe('LogVerifier', () => {
  it('finds nothing in a log where every message is signed, chained and receipted once', () => {
    const { log } = cleanLog();
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([]);
    expect(result.counts).toMatchObject({
      directoryMembers: 3,
      inboxRecords: 6,
      entered: 6,
      receipts: 3,
      rejections: 0,
    });
    expect(result.streams.map((s) => [s.stream, s.entered, s.headSeq])).toEqual([
      ['441300→511500', 3, 3],
      ['511500→441300', 3, 3],
    ]);
    // what state and score rebuilding read: entered messages, no personal data
    expect(result.messages).toHaveLength(6);
    const notice = result.messages.find((m) => m.type === 'notice');
    expect(notice?.payload).toEqual({ category: 'policy', domain: 'publicity' });
  });

  it('takes a redelivery (same id, same content) as harmless: no second answer expected', () => {
    const { log, notices } = cleanLog();
    const again = log.deliver(JSON.parse(String(notices[1].value)) as Envelope);
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([]);
    expect(result.counts.redeliveries).toBe(1);
    expect(idOf(again)).toBe(idOf(notices[1]));
  });

  it('catches one changed payload byte: bad signature, and the receipt quotes another hash', () => {
    const { log, notices, receipts } = cleanLog();
    const text = String(notices[1].value).replace('"policy"', '"polica"');
    log.records[1] = withValue(notices[1], text);
    const result = verify(inLogOrder(log.records));
    const changed = idOf(notices[1]);
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'BAD_SIGNATURE', messageIds: [changed] }),
        expect.objectContaining({
          kind: 'ANSWER_HASH_MISMATCH',
          messageIds: [idOf(receipts[1]), changed],
        }),
      ]),
    );
    // the next notice follows a place held only by the altered record
    const gap = result.findings.find((f) => f.kind === 'SEQ_GAP');
    expect(gap?.messageIds).toEqual([idOf(notices[2]), changed, idOf(receipts[2])]);
    expect(gap?.detail).toMatch(/the recipient took it/);
    expect(gap?.detail).toMatch(/refused BAD_SIGNATURE/);
  });

  it('catches a dropped message: the gap, and a receipt for a message the log lacks', () => {
    const { log, notices, receipts } = cleanLog();
    const records = inLogOrder(log.records.filter((r) => r !== notices[1]));
    const result = verify(records);
    expect(kinds(result).sort()).toEqual(['ANSWER_UNKNOWN_MESSAGE', 'SEQ_GAP']);
    expect(result.findings.find((f) => f.kind === 'ANSWER_UNKNOWN_MESSAGE')?.messageIds).toEqual([
      idOf(receipts[1]),
      idOf(notices[1]),
    ]);
    expect(result.findings.find((f) => f.kind === 'SEQ_GAP')).toMatchObject({
      messageIds: [idOf(notices[2]), idOf(receipts[2])],
      location: { topic: `${PREFIX}.inbox.${YIBIN}`, partition: 0, offset: '2' },
    });
  });

  it('catches two swapped messages as one OUT_OF_ORDER finding naming both', () => {
    const { log, notices } = cleanLog();
    // contents swapped, positions (offset, broker time) kept: the offsets still look right
    const first = log.records.indexOf(notices[0]);
    const second = log.records.indexOf(notices[1]);
    log.records[first] = {
      ...notices[1],
      offset: notices[0].offset,
      timestamp: notices[0].timestamp,
    };
    log.records[second] = {
      ...notices[0],
      offset: notices[1].offset,
      timestamp: notices[1].timestamp,
    };
    const result = verify(inLogOrder(log.records));
    const swap = result.findings.find((f) => f.kind === 'OUT_OF_ORDER');
    expect(swap?.messageIds.slice(0, 2)).toEqual([idOf(notices[1]), idOf(notices[0])]);
    // the receipts state the broker times the records had before the swap
    expect(kinds(result).filter((k) => k === 'ANSWER_BROKER_TIME')).toHaveLength(2);
    expect(kinds(result)).not.toContain('SEQ_GAP');
  });

  it('catches lines of a partition that are not in offset order', () => {
    const { log } = cleanLog();
    const records = inLogOrder(log.records);
    [records[0], records[1]] = [records[1], records[0]];
    expect(kinds(verify(records))).toContain('RECORD_ORDER');
  });

  it('catches a forged receipt signed by a key outside the directory', () => {
    const { log, notices } = cleanLog();
    const forged = log.answerTo(notices[0]);
    const outsider = generateNodeKeys();
    const unsigned = unsignedOf(forged);
    const record = log.deliver(signEnvelope(unsigned, outsider.signing.privateKey));
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'BAD_SIGNATURE',
        messageIds: [idOf(record)],
        stream: '511500→441300',
        location: { topic: `${PREFIX}.inbox.${HUIZHOU}`, partition: 0, offset: '3' },
      }),
    ]);
  });

  it("names the member whose key signed a receipt that claims to be another's", () => {
    const { log, receipts } = cleanLog();
    const original = JSON.parse(String(receipts[0].value)) as Envelope;
    const unsigned = unsignedOf(original);
    const resigned = signEnvelope(unsigned, keys[SHENZHEN].signing.privateKey);
    log.records[log.records.indexOf(receipts[0])] = withValue(
      receipts[0],
      JSON.stringify(resigned),
    );
    const result = verify(inLogOrder(log.records));
    const wrong = result.findings.find((f) => f.kind === 'WRONG_SIGNER');
    expect(wrong?.messageIds).toEqual([original.id]);
    expect(wrong?.detail).toMatch(/signed with 440300's key/);
  });

  it('catches a receipt signed by a member that did not receive the message', () => {
    const { log, notices } = cleanLog();
    const answer = log.answerTo(notices[0]);
    const claims = unsignedOf(answer);
    const byShenzhen = signEnvelope(
      { ...claims, from: SHENZHEN, seq: 1, prevHash: null },
      keys[SHENZHEN].signing.privateKey,
    );
    log.deliver(byShenzhen);
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'ANSWER_NOT_FROM_RECIPIENT',
        messageIds: [byShenzhen.id, idOf(notices[0])],
      }),
    ]);
  });

  it('catches an answer that states another broker time than the record has', () => {
    const log = new HandLog();
    const notice = log.notice();
    const receipt = log.deliver(
      log.answerTo(notice, 'receipt', { brokerTime: notice.timestamp - 1 }),
    );
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'ANSWER_BROKER_TIME',
        messageIds: [idOf(receipt), idOf(notice)],
      }),
    ]);
  });

  it('catches a second answer to one message', () => {
    const log = new HandLog();
    const notice = log.notice();
    const first = log.receipt(notice);
    const second = log.deliver(log.answerTo(notice, 'rejection'));
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'DUPLICATE_ANSWER',
        messageIds: [idOf(second), idOf(notice), idOf(first)],
      }),
    ]);
  });

  it('catches the same id with other content, and accepts the recipient rejecting it DUPLICATE', () => {
    const log = new HandLog();
    const notice = log.notice();
    log.receipt(notice);
    const original = JSON.parse(String(notice.value)) as Envelope;
    const unsigned = unsignedOf(original);
    const other = signEnvelope(
      { ...unsigned, payload: { ...unsigned.payload, category: 'other' } },
      keys[HUIZHOU].signing.privateKey,
    );
    const copy = log.deliver(other);
    log.deliver(log.answerTo(copy, 'rejection', { reason: 'DUPLICATE' }));
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'DUPLICATE', messageIds: [original.id] }),
    ]);
  });

  it('reports a fork: two signed envelopes at one place of the stream', () => {
    const log = new HandLog();
    const first = log.notice();
    log.receipt(first);
    const original = JSON.parse(String(first.value)) as Envelope;
    const unsigned = unsignedOf(original);
    const fork = log.deliver(
      signEnvelope({ ...unsigned, id: uuidv7() }, keys[HUIZHOU].signing.privateKey),
    );
    log.deliver(log.answerTo(fork, 'rejection', { reason: 'SEQ_GAP' }));
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'FORK', messageIds: [idOf(fork), original.id] }),
    ]);
  });

  it('reports a sender gap once when the recipient rightly refuses everything after it', () => {
    const log = new HandLog();
    const n1 = log.notice();
    log.receipt(n1);
    log.envelope(HUIZHOU, YIBIN, 'notice', {}); // numbered, never published
    const after = [log.notice(), log.notice()];
    for (const n of after) log.deliver(log.answerTo(n, 'rejection', { reason: 'SEQ_GAP' }));
    const result = verify(inLogOrder(log.records));
    expect(kinds(result)).toEqual(['SEQ_GAP']);
    expect(result.findings[0].messageIds).toEqual([idOf(after[0])]);
  });

  it('reports a recipient that refused a message the log shows in order', () => {
    const log = new HandLog();
    const n1 = log.notice();
    const reply = log.deliver(log.answerTo(n1, 'rejection', { reason: 'CHAIN_BROKEN' }));
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'ANSWER_CONTRADICTS_LOG',
        messageIds: [idOf(n1), idOf(reply)],
      }),
    ]);
  });

  it('expects no answer to a message in the wrong inbox', () => {
    const log = new HandLog();
    const lost = log.deliver(
      log.envelope(HUIZHOU, SHENZHEN, 'notice', { category: 'policy' }),
      YIBIN,
    );
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'MISADDRESSED', messageIds: [idOf(lost)] }),
    ]);
    expect(result.awaiting).toEqual([]);
  });

  it('reports a node that answers a record it must drop', () => {
    const log = new HandLog();
    const lost = log.deliver(
      log.envelope(HUIZHOU, SHENZHEN, 'notice', { category: 'policy' }),
      YIBIN,
    );
    const reply = log.deliver(log.answerTo(lost, 'rejection', { reason: 'OUT_OF_SCOPE' }), HUIZHOU);
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'MISADDRESSED', messageIds: [idOf(lost)] }),
      expect.objectContaining({
        kind: 'ANSWER_CONTRADICTS_LOG',
        messageIds: [idOf(reply), idOf(lost)],
      }),
    ]);
  });

  it('keeps a copy under another record key out of the stream and its broker time', () => {
    const log = new HandLog();
    const n1 = log.notice();
    log.deliver(log.answerTo(n1, 'receipt'));
    // the originals sit in partition 2; a copy of n1 written an hour later
    // under another key lands in partition 0, which a reader walks first
    for (const r of log.records) r.partition = 2;
    log.records.push({
      ...n1,
      key: Buffer.from('440300'),
      partition: 0,
      offset: '0',
      timestamp: n1.timestamp + 3_600_000,
    });
    const result = verify(inLogOrder(log.records));
    expect(kinds(result)).toEqual(['RECORD_METADATA_MISMATCH']);
    const notices = result.messages.filter((m) => m.type === 'notice');
    expect(notices.map((m) => m.brokerTime)).toEqual([n1.timestamp]);
  });

  it('walks a stream its producer split over two partitions in arrival order: a transport finding, no stream finding', () => {
    const log = new HandLog();
    const notices = [log.notice(), log.notice(), log.notice(), log.notice()];
    for (const n of notices) log.receipt(n);
    // the third notice was produced to partition 2, the others sit in partition 0
    notices[2].partition = 2;
    const result = verify(inLogOrder(log.records));
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'STREAM_SPLIT',
        messageIds: [idOf(notices[2])],
        stream: null,
      }),
    ]);
    const stream = result.streams.find((s) => s.stream === `${HUIZHOU}→${YIBIN}`);
    expect(stream).toMatchObject({ entered: 4, refused: 0, headSeq: 4, findings: 0 });
    expect(result.messages.filter((m) => m.type === 'notice').map((m) => m.id)).toEqual(
      notices.map(idOf),
    );
  });

  it('gives the same messages as of a broker time however the log grew after it', () => {
    const log = new HandLog();
    const n1 = log.notice();
    log.receipt(n1);
    const n2 = log.notice();
    const cut = log.clock;
    const before = messagesAsOf(inLogOrder(log.records), cut);
    expect(before.map((m) => m.id)).toContain(idOf(n2));

    // appended after the cut: the recipient's late answer refusing n2 (the walk
    // follows a recipient's answer), a copy of n1 under another key, and new traffic
    log.deliver(log.answerTo(n2, 'rejection', { reason: 'CHAIN_BROKEN' }));
    log.records.push({ ...n1, key: Buffer.from(SHENZHEN), timestamp: log.clock + 1 });
    log.clock += 1;
    const later = log.notice();
    log.receipt(later);
    const grown = inLogOrder(log.records);
    expect(messagesAsOf(grown, cut)).toEqual(before);
    // judged on the whole grown log, n2 no longer entered: that is what the cut protects
    expect(verify(grown).messages.map((m) => m.id)).not.toContain(idOf(n2));
  });

  it('reports a sender missing from the directory and expects no answer', () => {
    const log = new HandLog();
    log.notice(SHENZHEN, YIBIN);
    const result = verify(
      inLogOrder(log.records),
      {},
      [HUIZHOU, YIBIN].map((c) => directoryRecord(c)),
    );
    expect(kinds(result)).toEqual(['UNKNOWN_SENDER']);
    expect(result.awaiting).toEqual([]);
  });

  it('tells a message still within the answer window from one left unanswered', () => {
    const log = new HandLog();
    const notice = log.notice();
    const recent = verify(inLogOrder(log.records), { asOf: notice.timestamp + HOUR });
    expect(recent.findings).toEqual([]);
    expect(recent.awaiting).toEqual([
      expect.objectContaining({ messageId: idOf(notice), stream: '441300→511500' }),
    ]);
    const late = verify(inLogOrder(log.records), { asOf: notice.timestamp + 25 * HOUR });
    expect(late.findings).toEqual([
      expect.objectContaining({ kind: 'UNANSWERED', messageIds: [idOf(notice)] }),
    ]);
  });

  it('starts streams at the first record of a time range and skips answers to earlier messages', () => {
    const { log, notices } = cleanLog();
    const later = log.records.filter((r) => r !== notices[0] && r !== notices[1]);
    const result = verify(inLogOrder(later), { rangeStart: notices[2].timestamp });
    expect(result.findings).toEqual([]);
    expect(result.counts.answersOutsideRange).toBe(2);
  });

  it('reports a malformed answer and record metadata that does not match the envelope', () => {
    const log = new HandLog();
    const notice = log.notice();
    const bad = log.deliver(
      log.answerTo(notice, 'receipt', { messageHash: 'not-a-hash', extra: true }),
    );
    log.records[0] = { ...notice, key: Buffer.from(SHENZHEN) };
    const result = verify(inLogOrder(log.records), { asOf: notice.timestamp });
    expect(result.findings).toHaveLength(2);
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'RECORD_METADATA_MISMATCH', messageIds: [idOf(notice)] }),
        expect.objectContaining({ kind: 'ANSWER_MALFORMED', messageIds: [idOf(bad)] }),
      ]),
    );
  });

  it('reports what is not an envelope, and directory records the coordinator did not sign', () => {
    const log = new HandLog();
    const notice = log.notice();
    log.records[0] = withValue(notice, '{"id": 1}');
    const forgedEntry = directoryRecord(SHENZHEN, keys[HUIZHOU]);
    const result = verify(log.records, {}, [directoryRecord(HUIZHOU), forgedEntry]);
    expect(kinds(result)).toEqual(['DIRECTORY_ENTRY_INVALID', 'UNPARSEABLE_RECORD']);
    expect(result.counts.directoryMembers).toBe(1);
  });
});
