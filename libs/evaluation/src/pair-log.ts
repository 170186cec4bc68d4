import { isAnswer, isStreamRejection } from '@yipanqi/contracts';
import { ScoringRecord } from './log-record';

type LogRecord = ScoringRecord;

function byBrokerTime(x: LogRecord, y: LogRecord): number {
  if (x.brokerTime !== y.brokerTime) return x.brokerTime - y.brokerTime;
  // UUIDv7 ids sort by creation, and a fixed order keeps every replay's choice the same
  return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
}

/** Threads are correlationIds (flows.md); a message without one is a thread of its own. */
function threadId(m: LogRecord): string {
  return m.correlationId ?? m.id;
}

/**
 * The messages between two nodes as they stood at the as-of instant: records
 * after it are invisible, an envelope delivered twice counts once (its first
 * record; the recipient skipped the redelivery), and everything is in
 * broker-time order.
 */
export class PairLog {
  /** every visible message between the two except receipts and rejections, in order */
  readonly messages: readonly LogRecord[];
  /** first receipt or rejection per answered envelope, keyed `answerer>messageId` */
  private readonly answers = new Map<string, LogRecord>();
  /** per thread, the messages that were not refused, in order */
  private readonly threads = new Map<string, LogRecord[]>();

  constructor(
    records: readonly LogRecord[],
    nodes: readonly [string, string],
    readonly asOf: number,
  ) {
    const [a, b] = nodes;
    const firstRecord = new Map<string, LogRecord>();
    for (const r of records) {
      const between = (r.from === a && r.to === b) || (r.from === b && r.to === a);
      if (!between || r.brokerTime > asOf) continue;
      const seen = firstRecord.get(r.id);
      if (!seen || r.brokerTime < seen.brokerTime) firstRecord.set(r.id, r);
    }
    const ordered = [...firstRecord.values()].sort(byBrokerTime);

    for (const r of ordered) {
      const messageId = r.payload.messageId;
      if (!isAnswer(r.type) || typeof messageId !== 'string') continue;
      // it answers a delivery that did not enter the stream, not the message (which is no item until it enters)
      if (r.type === 'rejection' && isStreamRejection(r.payload.reason)) continue;
      const key = `${r.from}>${messageId}`;
      if (!this.answers.has(key)) this.answers.set(key, r);
    }
    this.messages = ordered.filter((r) => !isAnswer(r.type));
    for (const m of this.messages) {
      if (this.refused(m)) continue;
      const thread = this.threads.get(threadId(m));
      if (thread) thread.push(m);
      else this.threads.set(threadId(m), [m]);
    }
  }

  /** The recipient's receipt or rejection of `message`; the first if it sent several. */
  exchangeAnswer(message: LogRecord): LogRecord | undefined {
    return this.answers.get(`${message.to}>${message.id}`);
  }

  /**
   * Its recipient rejected it with a reason that holds or that the log cannot
   * decide: nothing of it counts, it opens no thread and answers none
   * (flows.md: an answer to an unknown or closed thread is refused). A
   * rejection whose reason does not hold is no veto (DESIGN §7): the message
   * counts as if it had been accepted — see `rejectedUnjustifiably`.
   */
  refused(message: LogRecord): boolean {
    const answer = this.exchangeAnswer(message);
    return answer?.type === 'rejection' && answer.verdict !== 'unjustified';
  }

  /** The recipient's rejection of `message` when its reason does not hold on the log. */
  rejectedUnjustifiably(message: LogRecord): LogRecord | undefined {
    const answer = this.exchangeAnswer(message);
    return answer?.type === 'rejection' && answer.verdict === 'unjustified' ? answer : undefined;
  }

  /** The first message in `message`'s thread of one of `types` sent by `from`; refused ones are no part of it. */
  firstInThread(message: LogRecord, types: readonly string[], from: string): LogRecord | undefined {
    return this.threads
      .get(threadId(message))
      ?.find((m) => m.from === from && types.includes(m.type));
  }
}
