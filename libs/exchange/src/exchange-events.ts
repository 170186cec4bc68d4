/**
 * What happened to one exchange message, for metrics and the log line per
 * exchange event (libs/observability). Never carries a payload: ids, the
 * message type, the two node codes, the outcome and its reason code.
 * Inbound fields come from the record as received and are not trusted
 * (a dropped record's claimed sender may be anything): whoever prints them
 * must check their shape.
 */
export interface ExchangeEvent {
  outcome: 'applied' | 'rejected' | 'dead-letter' | 'dropped' | 'sent';
  messageId: string | null;
  type: string | null;
  from: string | null;
  to: string;
  /** rejection or drop reason code; null for applied, sent and dead letters */
  reason: string | null;
}

export type ExchangeEventListener = (event: ExchangeEvent) => void;
