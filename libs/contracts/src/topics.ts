import { assertNodeCode, NodeCode } from './node-code';

/**
 * Prefix of every topic the exchange owns, so a shared cluster stays readable.
 * Tests use their own prefix so that runs never see each other's messages.
 */
export const TOPIC_PREFIX = 'yipanqi';

/** Compacted topic of coordinator-signed node entries (DESIGN §5), keyed by node code. */
export function directoryTopic(prefix = TOPIC_PREFIX): string {
  return `${prefix}.directory`;
}

/** Each node reads its own inbox; every partner writes to it. */
export function inboxTopic(node: NodeCode, prefix = TOPIC_PREFIX): string {
  return `${prefix}.inbox.${assertNodeCode(node)}`;
}

/** What a node could not even parse, kept with the error for re-drive. */
export function deadLetterTopic(node: NodeCode, prefix = TOPIC_PREFIX): string {
  return `${prefix}.dlq.${assertNodeCode(node)}`;
}

/**
 * The node's sent journal: every envelope it publishes, written here before
 * the partner's inbox. Only the node reads it: a node restored from an older
 * backup finds in it what it sent after the copy (docs/operations.md).
 */
export function sentJournalTopic(node: NodeCode, prefix = TOPIC_PREFIX): string {
  return `${prefix}.sent.${assertNodeCode(node)}`;
}

/** The coordinator's signed campaign results (docs/evaluation.md), keyed by campaign id. */
export function evaluationTopic(prefix = TOPIC_PREFIX): string {
  return `${prefix}.evaluation`;
}
