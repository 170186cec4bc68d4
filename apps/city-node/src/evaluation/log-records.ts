import { Envelope, isAnswer, isStreamRejection } from '@yipanqi/contracts';
import { LogRecord, logRecord } from '@yipanqi/evaluation';

/**
 * The exchange log of this node and its partners as scoring reads it
 * (libs/evaluation `LogRecord`), rebuilt from the node's own tables: the
 * outbox holds what we sent, the inbox what we received. The auditor reads
 * the same messages from the inbox topics; both must arrive at the same ids
 * and the same broker times, or the two would publish different scores.
 */

/** An exchange_outbox row: an envelope this node signed for `peer`. */
export interface SentRow {
  id: string;
  peer: string;
  /** the envelope's hash, which the partner's receipt quotes */
  hash: string;
  /** the envelope as JSON */
  envelope: string;
  /** LogAppendTime from the produce acknowledgement; null until published */
  brokerTime: number | null;
}

/** An exchange_inbox row: an envelope that entered the from→me stream. */
export interface ReceivedRow {
  /** the envelope as JSON */
  envelope: string;
  /** LogAppendTime of its record in this node's inbox */
  brokerTime: number;
}

export interface NodeLog {
  records: LogRecord[];
  /** outbox rows not yet published: not in the log yet, so not in `records` */
  unsent: { id: string; peer: string }[];
}

/** What a partner's receipt or rejection says about one of our envelopes. */
interface Answer {
  /** broker time of the answer's own record (the first answer counts) */
  arrivedAt: number;
  answerId: string;
  messageHash: unknown;
  /** the LogAppendTime of our record in the partner's inbox, as the partner signed it */
  brokerTime: unknown;
  reason: unknown;
}

function isBrokerTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Partners' receipts and rejections by the id of the envelope they answer; the earliest wins. */
function answersByMessage(received: readonly { envelope: Envelope; brokerTime: number }[]) {
  const answers = new Map<string, Answer>();
  for (const { envelope, brokerTime } of received) {
    if (!isAnswer(envelope.type)) continue;
    const { messageId, messageHash, brokerTime: stated, reason } = envelope.payload;
    if (typeof messageId !== 'string') continue;
    const key = `${envelope.from}>${messageId}`;
    const seen = answers.get(key);
    const earlier =
      !seen ||
      brokerTime < seen.arrivedAt ||
      (brokerTime === seen.arrivedAt && envelope.id < seen.answerId);
    if (earlier) {
      answers.set(key, {
        arrivedAt: brokerTime,
        answerId: envelope.id,
        messageHash,
        brokerTime: stated,
        reason: envelope.type === 'rejection' ? reason : undefined,
      });
    }
  }
  return answers;
}

/**
 * Every message between this node and its partners that entered a stream,
 * as log records:
 *
 * - received (inbox rows, whatever their outcome: applied, rejected and
 *   dead-lettered messages all entered the stream) at their record's broker
 *   time;
 * - sent (outbox rows) at the broker time the partner's receipt or rejection
 *   states for it — signed, and the time of the record the partner applied —
 *   else at the broker time of our produce acknowledgement (the two differ
 *   only when a relay crash published the message twice: the partner applied
 *   the first record, the outbox holds the second's time). Rows not yet
 *   published and rows the partner refused before they entered its stream
 *   are left out and listed.
 *
 * Only an answer that quotes the envelope's hash speaks for it. `pii` is
 * stripped from every payload.
 */
export function nodeLogRecords(
  sent: readonly SentRow[],
  received: readonly ReceivedRow[],
): NodeLog {
  const inbox = received.map((r) => ({
    envelope: JSON.parse(r.envelope) as Envelope,
    brokerTime: r.brokerTime,
  }));
  const answers = answersByMessage(inbox);
  const records = inbox.map((r) => logRecord(r.envelope, r.brokerTime));
  const unsent: NodeLog['unsent'] = [];
  for (const row of sent) {
    const answer = answers.get(`${row.peer}>${row.id}`);
    const aboutThis = answer && answer.messageHash === row.hash ? answer : undefined;
    // refused before it entered the partner's stream: not part of the log scores read
    if (isStreamRejection(aboutThis?.reason)) continue;
    const brokerTime = isBrokerTime(aboutThis?.brokerTime) ? aboutThis.brokerTime : row.brokerTime;
    if (brokerTime === null) {
      unsent.push({ id: row.id, peer: row.peer });
      continue;
    }
    records.push(logRecord(JSON.parse(row.envelope) as Envelope, brokerTime));
  }
  return { records, unsent };
}
