import { Envelope } from '@yipanqi/contracts';

/**
 * One message of the exchange log as scoring sees it: the envelope without
 * its stream fields (seq, hashes, signature), the readable payload, and the
 * broker time of its record. Callers map inbox rows or replayed Kafka records
 * to this; nothing in it identifies a person.
 */
export interface LogRecord {
  /** envelope id (UUIDv7) */
  id: string;
  type: string;
  from: string;
  to: string;
  agreementId: string | null;
  /** thread id: a request and all its answers share it */
  correlationId: string | null;
  /** the envelope this one answers */
  causationId: string | null;
  /** epoch ms: LogAppendTime of the record in the recipient's (`to`) inbox */
  brokerTime: number;
  /** readable payload fields; `pii` is never needed */
  payload: Readonly<Record<string, unknown>>;
}

/**
 * An envelope as scoring sees it, with the broker time of its record: the
 * readable payload only (`pii` is encrypted to one side and never needed).
 */
export function logRecord(envelope: Envelope, brokerTime: number): LogRecord {
  return {
    id: envelope.id,
    type: envelope.type,
    from: envelope.from,
    to: envelope.to,
    agreementId: envelope.agreementId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    brokerTime,
    payload: readablePayload(envelope.payload),
  };
}

/** A payload without its `pii` member, which is encrypted to the recipient and never needed. */
export function readablePayload({
  pii: _pii,
  ...readable
}: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return readable;
}

/** `[start, end)`, epoch ms. */
export interface Period {
  start: number;
  end: number;
}
