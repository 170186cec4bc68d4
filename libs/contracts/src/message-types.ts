/** Every message type of the event catalogue (DESIGN §4). */
export const MESSAGE_TYPES = [
  'agreement.proposed',
  'agreement.countersigned',
  'agreement.declined',
  'agreement.amended',
  'agreement.suspended',
  'agreement.resumed',
  'agreement.terminated',
  'migrant.arrival',
  'migrant.arrival.bulk', // its bulk form (DESIGN §3)
  'migrant.departure',
  'migrant.updated',
  'certificate.issued',
  'certificate.verify.requested',
  'certificate.verify.answered',
  'task.requested',
  'task.accepted',
  'task.rejected',
  'task.progress', // not in DESIGN §4: see docs/tasks.md
  'task.completed',
  'task.cancelled',
  'service.delivered',
  'service.acknowledged',
  'benefit.entitlement',
  'notice',
  'evaluation.rated',
  'receipt',
  'rejection',
] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

/** True for a type of the catalogue (then typed as one). */
export function isMessageType(type: string): type is MessageType {
  return MESSAGE_TYPES.some((t) => t === type);
}

/**
 * Receipts and rejections answer other messages and are never answered
 * themselves (DESIGN §4); every other message, a bulk form too, awaits one of
 * them. Listed so that a query can say the same as `isAnswer`.
 */
export const ANSWER_TYPES = ['receipt', 'rejection'] as const satisfies readonly MessageType[];

export function isAnswer(type: string): boolean {
  return ANSWER_TYPES.some((t) => t === type);
}

/**
 * Messages that must travel under an active agreement whose scope covers
 * them. Agreement traffic itself (it creates and changes agreements) and
 * answers (a suspension blocks flows, not receipts) do not.
 */
export function needsAgreement(type: string): boolean {
  return !isAnswer(type) && !type.startsWith('agreement.');
}

/** Reason codes of a signed rejection (退回). */
export const REJECTION_REASONS = [
  'BAD_SIGNATURE',
  'UNKNOWN_SENDER',
  'SEQ_GAP',
  'CHAIN_BROKEN',
  'DUPLICATE',
  'SCHEMA_INVALID',
  'UNSUPPORTED_VERSION',
  'NO_AGREEMENT',
  'OUT_OF_SCOPE',
  'AGREEMENT_INACTIVE',
  'DECRYPT_FAILED',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/**
 * Reasons about the envelope and its place in the stream (libs/exchange
 * stream-check): a message refused for one of these did not enter the
 * recipient's stream. Every other reason is given after the stream advanced
 * (schema, version, agreement, scope, decryption, a handler's refusal), so
 * its message is part of the log like a receipted one.
 */
export const STREAM_REJECTION_REASONS: readonly RejectionReason[] = [
  'UNKNOWN_SENDER',
  'BAD_SIGNATURE',
  'SEQ_GAP',
  'CHAIN_BROKEN',
  'DUPLICATE',
];

export function isStreamRejection(reason: unknown): boolean {
  return STREAM_REJECTION_REASONS.some((r) => r === reason);
}

/** Scope items (协作事项) an agreement can cover (DESIGN §1). */
export const SCOPE_DOMAINS = [
  'publicity', // 宣传教育
  'maternal-care', // 孕产期服务
  'contraception', // 避孕节育服务
  'marriage-certificate', // 婚育证明
  'information-exchange', // 信息交换
  'fee-collection', // 社会抚养费协作
] as const;

export type ScopeDomain = (typeof SCOPE_DOMAINS)[number];

/** Message types whose domain is fixed; others name theirs in `payload.domain`. */
const TYPE_DOMAINS: Partial<Record<string, ScopeDomain>> = {
  'migrant.arrival': 'information-exchange',
  'migrant.arrival.bulk': 'information-exchange',
  'migrant.departure': 'information-exchange',
  'migrant.updated': 'information-exchange',
  'certificate.issued': 'marriage-certificate',
  'certificate.verify.requested': 'marriage-certificate',
  'certificate.verify.answered': 'marriage-certificate',
};

/** The scope item a message falls under, or undefined when it is not tied to one. */
export function messageDomain(
  type: string,
  payload: Record<string, unknown>,
): ScopeDomain | undefined {
  const named = payload.domain;
  if (typeof named === 'string' && (SCOPE_DOMAINS as readonly string[]).includes(named)) {
    return named as ScopeDomain;
  }
  return TYPE_DOMAINS[type];
}
