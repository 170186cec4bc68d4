import { Envelope } from '@yipanqi/contracts';
import { scoreFromLog, scoringLog } from '@yipanqi/exchange-log';
import { nodeLogRecords, ReceivedRow, SentRow } from './log-records';

const ME = '441300'; // 惠州
const PARTNER = '511500'; // 宜宾
const AGREEMENT = '0192f3c4-0000-7000-8000-000000000001';
const T0 = Date.UTC(2026, 0, 5, 2); // 2026-01-05T02:00:00Z

let counter = 0;

function envelope(
  type: string,
  from: string,
  to: string,
  payload: Record<string, unknown>,
  fields: Partial<Envelope> = {},
): Envelope {
  counter++;
  return {
    id: `0192f3c4-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    type,
    v: 1,
    from,
    to,
    agreementId: AGREEMENT,
    correlationId: null,
    causationId: null,
    seq: counter,
    prevHash: null,
    occurredAt: '2026-01-05T01:59:59.000Z',
    payload,
    sig: 'sig',
    ...fields,
  };
}

/** An outbox row of ours; `hash` stands in for the envelope hash the partner quotes. */
function sent(e: Envelope, brokerTime: number | null): SentRow {
  return { id: e.id, peer: e.to, hash: `hash-${e.id}`, envelope: JSON.stringify(e), brokerTime };
}

function received(e: Envelope, brokerTime: number): ReceivedRow {
  return { envelope: JSON.stringify(e), brokerTime };
}

/** The partner's receipt (or rejection) of our row, stating the broker time of our record. */
function answer(
  row: SentRow,
  statedBrokerTime: number,
  type: 'receipt' | 'rejection' = 'receipt',
  extra: Record<string, unknown> = {},
): Envelope {
  return envelope(type, PARTNER, ME, {
    messageId: row.id,
    messageHash: row.hash,
    brokerTime: statedBrokerTime,
    ...(type === 'rejection' ? { reason: 'SCHEMA_INVALID', detail: 'no such task' } : {}),
    ...extra,
  });
}

function notice(from = ME, to = PARTNER): Envelope {
  return envelope('notice', from, to, { category: 'policy', domain: 'publicity', pii: 'eyJ.jwe' });
}

describe('log records from the node database', () => {
  it('dates a sent message by the broker time its receipt states, not the outbox row', () => {
    // a relay crash published it twice: the partner applied the first record, the row holds the second's time
    const row = sent(notice(), T0 + 900);
    const receipt = answer(row, T0);
    const { records } = nodeLogRecords([row], [received(receipt, T0 + 2000)]);
    expect(records.find((r) => r.id === row.id)?.brokerTime).toBe(T0);
    expect(records.find((r) => r.id === receipt.id)?.brokerTime).toBe(T0 + 2000);
  });

  it('dates it by a rejection the same way, and by the produce acknowledgement without an answer', () => {
    const rejected = sent(notice(), T0 + 10);
    const unanswered = sent(notice(), T0 + 20);
    const { records } = nodeLogRecords(
      [rejected, unanswered],
      [received(answer(rejected, T0 + 5, 'rejection'), T0 + 100)],
    );
    expect(records.find((r) => r.id === rejected.id)?.brokerTime).toBe(T0 + 5);
    expect(records.find((r) => r.id === unanswered.id)?.brokerTime).toBe(T0 + 20);
  });

  it('takes the first answer by its own broker time when a partner answered twice', () => {
    const row = sent(notice(), T0 + 50);
    const { records } = nodeLogRecords(
      [row],
      [received(answer(row, T0 + 7), T0 + 300), received(answer(row, T0 + 3), T0 + 200)],
    );
    expect(records.find((r) => r.id === row.id)?.brokerTime).toBe(T0 + 3);
  });

  it('ignores an answer that quotes another hash or states no usable broker time', () => {
    const row = sent(notice(), T0 + 40);
    const other = sent(notice(), T0 + 60);
    const { records } = nodeLogRecords(
      [row, other],
      [
        received(answer(row, T0, 'receipt', { messageHash: 'hash-of-something-else' }), T0 + 100),
        received(answer(other, T0, 'receipt', { brokerTime: -1 }), T0 + 100),
      ],
    );
    expect(records.find((r) => r.id === row.id)?.brokerTime).toBe(T0 + 40);
    expect(records.find((r) => r.id === other.id)?.brokerTime).toBe(T0 + 60);
  });

  it('leaves out what is not published yet and says so, unless the partner already answered it', () => {
    const pending = sent(notice(), null);
    // published, but the relay died before it stored the acknowledgement
    const unmarked = sent(notice(), null);
    const log = nodeLogRecords([pending, unmarked], [received(answer(unmarked, T0 + 1), T0 + 90)]);
    expect(log.records.map((r) => r.id)).not.toContain(pending.id);
    expect(log.unsent).toEqual([{ id: pending.id, peer: PARTNER }]);
    expect(log.records.find((r) => r.id === unmarked.id)?.brokerTime).toBe(T0 + 1);
  });

  it('leaves out a message the partner refused before it entered its stream, like the auditor', () => {
    const gap = sent(notice(), T0 + 10);
    const outOfScope = sent(notice(), T0 + 20);
    const { records } = nodeLogRecords(
      [gap, outOfScope],
      [
        received(answer(gap, T0 + 10, 'rejection', { reason: 'SEQ_GAP' }), T0 + 30),
        received(answer(outOfScope, T0 + 20, 'rejection', { reason: 'OUT_OF_SCOPE' }), T0 + 40),
      ],
    );
    expect(records.map((r) => r.id)).not.toContain(gap.id);
    // the agreement gate refuses after the stream advanced: that message is in the log
    expect(records.map((r) => r.id)).toContain(outOfScope.id);
  });

  it('strips pii and keeps the envelope fields scoring reads', () => {
    const task = envelope(
      'task.requested',
      PARTNER,
      ME,
      {
        kind: 'investigation',
        domain: 'information-exchange',
        dueAt: '2026-01-20T00:00:00Z',
        pii: 'eyJ.jwe',
      },
      { correlationId: 'task-1', causationId: null },
    );
    const ours = sent(notice(), T0 + 5);
    const { records } = nodeLogRecords([ours], [received(task, T0)]);
    expect(records).toContainEqual({
      id: task.id,
      type: 'task.requested',
      v: 1,
      from: PARTNER,
      to: ME,
      agreementId: AGREEMENT,
      correlationId: 'task-1',
      causationId: null,
      brokerTime: T0,
      payload: {
        kind: 'investigation',
        domain: 'information-exchange',
        dueAt: '2026-01-20T00:00:00Z',
      },
      // what the pii member looked like, never what it held
      piiForm: 'other',
    });
    expect(records.find((r) => r.id === ours.id)?.payload).toEqual({
      category: 'policy',
      domain: 'publicity',
    });
    expect(JSON.stringify(records)).not.toContain('eyJ.jwe');
  });

  it('keeps received messages whatever became of them, and our answers to them, for R and Q', () => {
    // the inbox holds applied, rejected and dead-lettered messages: all entered the stream
    const applied = notice(PARTNER, ME);
    const refused = envelope(
      'task.completed',
      PARTNER,
      ME,
      { outcome: 'done' },
      { correlationId: 'unknown' },
    );
    const deadLettered = notice(PARTNER, ME);
    const ourReceipt = envelope('receipt', ME, PARTNER, {
      messageId: applied.id,
      messageHash: 'h1',
      brokerTime: T0,
    });
    const ourRejection = envelope('rejection', ME, PARTNER, {
      messageId: refused.id,
      messageHash: 'h2',
      brokerTime: T0 + 1000,
      reason: 'SCHEMA_INVALID',
      detail: 'no such task',
    });
    const { records } = nodeLogRecords(
      [sent(ourReceipt, T0 + 500), sent(ourRejection, T0 + 1500)],
      [received(applied, T0), received(refused, T0 + 1000), received(deadLettered, T0 + 2000)],
    );
    expect(records).toHaveLength(5);

    const period = { start: T0, end: T0 + 3600_000 };
    const asOf = period.end + 48 * 3600_000;
    const log = scoringLog(records);
    const mine = scoreFromLog(log, { evaluator: ME, evaluated: PARTNER, period, asOf });
    // Q: of the partner's three messages we answered two, and receipted one
    expect(mine.indicators.Q).toMatchObject({
      numeratorIds: [applied.id],
      denominatorIds: [applied.id, refused.id],
      pendingIds: [deadLettered.id],
    });
    const theirs = scoreFromLog(log, { evaluator: PARTNER, evaluated: ME, period, asOf });
    // R of the partner's view of us: the dead letter is still unanswered after 24 h; the
    // completion of a task nobody asked for was rightly rejected, so it is no item
    expect(log.rejections).toMatchObject([{ messageId: refused.id, verdict: 'justified' }]);
    expect(theirs.indicators.R).toMatchObject({ items: 2, numerator: 1 });
  });
});
