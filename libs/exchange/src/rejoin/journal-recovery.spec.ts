import { Envelope } from '@yipanqi/contracts';
import { generateNodeKeys } from '@yipanqi/crypto';
import { envelopeHash, hasValidSignature, signEnvelope } from '../envelope-signing';
import {
  JournalRecord,
  OutgoingStreamEnd,
  planJournalRecovery,
  SentJournalMismatch,
} from './journal-recovery';

const ME = '441300';
const YIBIN = '511500';
const SHENZHEN = '440300';
const mine = generateNodeKeys();
const someoneElse = generateNodeKeys();
const HASH = 'A'.repeat(43);

let counter = 0;
/** The next envelope of a stream: seq and chain continue `after`. */
function next(
  after: OutgoingStreamEnd,
  type: 'notice' | 'receipt' | 'rejection' = 'notice',
  key = mine.signing.privateKey,
  causationId: string | null = null,
): Envelope {
  counter++;
  const payload =
    type === 'notice'
      ? { category: 'policy', domain: 'publicity', pii: 'a.b.c.d.e' }
      : type === 'receipt'
        ? {
            messageId: `0192f3c4-0000-7000-8000-${String(counter).padStart(12, '0')}`,
            messageHash: HASH,
            brokerTime: 1,
          }
        : {
            messageId: `0192f3c4-0000-7000-8000-${String(counter).padStart(12, '0')}`,
            messageHash: HASH,
            brokerTime: 1,
            reason: 'NO_AGREEMENT',
            detail: 'none in force',
          };
  return signEnvelope(
    {
      id: `0192f3c4-1111-7000-8000-${String(counter).padStart(12, '0')}`,
      type,
      v: 1,
      from: ME,
      to: after.peer,
      agreementId: null,
      correlationId: null,
      causationId,
      seq: after.lastSeq + 1,
      prevHash: after.lastHash,
      occurredAt: '2026-12-07T00:00:00.000Z',
      payload,
    },
    key,
  );
}
const endAfter = (e: Envelope): OutgoingStreamEnd => ({
  peer: e.to,
  lastSeq: e.seq,
  lastHash: envelopeHash(e),
});
const record = (e: Envelope, offset: number): JournalRecord => ({
  offset: String(offset),
  value: Buffer.from(JSON.stringify(e)),
  timestamp: '1765000000000',
});
const plan = (
  records: JournalRecord[],
  ends: OutgoingStreamEnd[],
  known: string[] = [],
  own: string[] = [],
) =>
  planJournalRecovery({
    me: ME,
    records,
    known: new Set(known),
    ownCausations: new Set(own),
    ends: new Map(ends.map((e) => [e.peer, e])),
    signedByMe: (envelope) => hasValidSignature(envelope, mine.signing.publicKey),
  });

describe('recovering what a restored node sent after its copy', () => {
  const start = { peer: YIBIN, lastSeq: 0, lastHash: null };
  const inCopy = next(start); // the database holds this one
  const a = next(endAfter(inCopy));
  const PARTNER_MESSAGE = '0192f3c4-2222-7000-8000-000000000001';
  const b = next(endAfter(a), 'receipt', mine.signing.privateKey, PARTNER_MESSAGE);
  const c = next(
    endAfter(b),
    'rejection',
    mine.signing.privateKey,
    PARTNER_MESSAGE.replace(/1$/, '2'),
  );
  const other = next({ peer: SHENZHEN, lastSeq: 0, lastHash: null });

  it('gives back, stream by stream and in seq order, what the database lacks, once', () => {
    const result = plan(
      [record(inCopy, 0), record(b, 2), record(other, 3), record(a, 1), record(b, 4), record(c, 5)],
      [endAfter(inCopy)],
      [inCopy.id],
    );
    expect(result.recovered.map((r) => r.envelope.id)).toEqual([other.id, a.id, b.id, c.id]);
    expect(result.recovered[1].raw).toBe(JSON.stringify(a));
    expect(result.streams).toEqual([endAfter(other), endAfter(c)]);
  });

  it('names the replies to partner messages, so that they stand when those are read again', () => {
    const followUp = next(endAfter(c), 'notice', mine.signing.privateKey, inCopy.id);
    const reminder = next(endAfter(followUp), 'notice', mine.signing.privateKey, a.id);
    const { replies } = plan(
      [record(a, 1), record(b, 2), record(c, 3), record(followUp, 4), record(reminder, 5)],
      [endAfter(inCopy)],
      [inCopy.id],
      [inCopy.id],
    );
    // not the follow-ups of its own messages (in the database, or recovered here)
    expect(replies).toEqual([
      { replyId: b.id, messageId: PARTNER_MESSAGE, type: 'receipt', reason: null },
      {
        replyId: c.id,
        messageId: PARTNER_MESSAGE.replace(/1$/, '2'),
        type: 'rejection',
        reason: 'NO_AGREEMENT',
      },
    ]);
  });

  it('finds nothing when the database holds the whole journal', () => {
    expect(plan([record(inCopy, 0)], [endAfter(inCopy)], [inCopy.id])).toEqual({
      recovered: [],
      streams: [],
      replies: [],
    });
  });

  it('refuses a journal that does not continue the database: a gap, or another envelope at its last seq', () => {
    expect(() => plan([record(b, 2)], [endAfter(inCopy)])).toThrow(
      new SentJournalMismatch(
        `stream to ${YIBIN}: the journal holds seq 3 where the database ends at seq 1`,
      ),
    );
    const fork = next(start);
    expect(() => plan([record(fork, 0)], [endAfter(inCopy)])).toThrow(
      /holds seq 1 where the database ends at seq 1/,
    );
    expect(() =>
      plan([record(next(endAfter(inCopy)), 1)], [{ ...endAfter(inCopy), lastHash: HASH }]),
    ).toThrow(/with another hash/);
  });

  it('refuses a record this node did not sign, or cannot parse, unless the database holds it', () => {
    const forged = next(endAfter(inCopy), 'notice', someoneElse.signing.privateKey);
    expect(() => plan([record(forged, 7)], [endAfter(inCopy)])).toThrow(
      /offset 7: not an envelope this node signed/,
    );
    // e.g. signed with the key before a rotation and journaled after it: the database has it
    expect(plan([record(forged, 7)], [endAfter(inCopy)], [forged.id]).recovered).toEqual([]);
    expect(() =>
      plan([{ offset: '8', value: Buffer.from('{"id":'), timestamp: '1' }], [endAfter(inCopy)]),
    ).toThrow(/offset 8/);
  });
});
