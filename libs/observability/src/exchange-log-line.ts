import type { ExchangeEvent } from '@yipanqi/exchange';

const NODE_CODE = /^\d{6}$/;
const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * message types and reason codes: lower-case words with dashes, dot-separated
 * as the catalogue's types are (`certificate.verify.requested`), or
 * UPPER_SNAKE codes; at most 48 characters
 */
const CODE = /^(?=.{1,48}$)(?:[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)*|[A-Z][A-Z0-9_]*)$/;

/** The fields of the one log line per exchange event, each checked for its shape. */
export interface ExchangeLogFields {
  event: 'exchange';
  outcome: ExchangeEvent['outcome'];
  messageId: string | null;
  type: string | null;
  from: string | null;
  to: string | null;
  reason: string | null;
}

const shaped = (value: string | null, pattern: RegExp): string | null =>
  value !== null && pattern.test(value) ? value : value === null ? null : '(invalid)';

/**
 * What a log line (or a metric label) may say about an exchange event.
 * Inbound fields come from records anyone may have written to the inbox
 * topic: whatever does not look like a node code, a message id or a code is
 * printed as `(invalid)`, so no free text of a record ever reaches the logs.
 */
export function exchangeLogFields(event: ExchangeEvent): ExchangeLogFields {
  return {
    event: 'exchange',
    outcome: event.outcome,
    messageId: shaped(event.messageId, MESSAGE_ID),
    type: shaped(event.type, CODE),
    from: shaped(event.from, NODE_CODE),
    to: shaped(event.to, NODE_CODE),
    reason: shaped(event.reason, CODE),
  };
}
