import { Envelope, JWE_COMPACT } from '@yipanqi/contracts';

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
  /** the envelope's payload version */
  v: number;
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
  /**
   * The form of the payload's `pii` member, never its content: what a
   * reader without the recipient's key can tell about it when it judges a
   * SCHEMA_INVALID rejection.
   */
  piiForm: PiiForm;
}

/** `none`: no `pii` member; `jwe`: a JWE compact serialization; `other`: anything else. */
export type PiiForm = 'none' | 'jwe' | 'other';

export function piiFormOf(payload: Readonly<Record<string, unknown>>): PiiForm {
  if (!Object.hasOwn(payload, 'pii')) return 'none';
  return typeof payload.pii === 'string' && JWE_COMPACT.test(payload.pii) ? 'jwe' : 'other';
}

/**
 * Whether a rejection's reason holds on the log (DESIGN §7, docs/evaluation.md
 * "Rejection verdicts"): set on every rejection before scoring.
 */
export type RejectionVerdict = 'justified' | 'unjustified' | 'undecidable';

/** A log record as scoring reads it: a rejection carries its verdict, everything else null. */
export interface ScoringRecord extends LogRecord {
  verdict: RejectionVerdict | null;
}

/**
 * An envelope as scoring sees it, with the broker time of its record: the
 * readable payload only (`pii` is encrypted to one side and never needed).
 */
export function logRecord(
  envelope: Envelope,
  brokerTime: number,
  piiForm = piiFormOf(envelope.payload),
): LogRecord {
  return {
    id: envelope.id,
    type: envelope.type,
    v: envelope.v,
    from: envelope.from,
    to: envelope.to,
    agreementId: envelope.agreementId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    brokerTime,
    payload: readablePayload(envelope.payload),
    piiForm,
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
