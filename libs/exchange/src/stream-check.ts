import { Envelope, RejectionReason } from '@yipanqi/contracts';
import type { DropReason } from './entities/exchange.entities';

export interface StreamPosition {
  lastSeq: number;
  lastHash: string | null;
}

export const STREAM_START: StreamPosition = { lastSeq: 0, lastHash: null };

export type StreamVerdict =
  /** the next envelope of the stream: advance, then validate and apply */
  | { verdict: 'next' }
  /** the same envelope again (at-least-once delivery): no effect, no receipt */
  | { verdict: 'redelivery' }
  /**
   * cannot be attributed to its claimed sender, or is not on its sender's
   * stream: counted and dropped, never answered (DESIGN §3), no state change
   */
  | { verdict: 'drop'; reason: DropReason; detail: string }
  /** authenticated but refused before it entered the stream; the stream does not advance */
  | { verdict: 'refuse'; reason: RejectionReason; detail: string };

export interface InboundFacts {
  envelope: Envelope;
  hash: string;
  /** this node's code */
  me: string;
  /** the Kafka record key, as a string (null when the record had none) */
  key: string | null;
  /** false: the sender is not in the directory (or configuration) at the record's broker time */
  senderKnown: boolean;
  signatureValid: boolean;
  /** where the from→me stream stands */
  position: StreamPosition;
  /** hash of an envelope with the same id that already entered the stream */
  priorHash: string | undefined;
}

/**
 * Decides what an envelope does to its stream, in the order DESIGN §3 fixes:
 * is it on its sender's stream (record key), who sent it, is the signature
 * good, is it for us, have we seen the id, is it the next seq, does it chain
 * to the previous hash. Nothing here reads the payload: a validly signed next
 * envelope advances the stream even when its payload is then rejected.
 *
 * Whatever a third party could have written (unsigned junk, a copy of a
 * partner's message under another key or in another node's inbox) is dropped
 * without an answer: answering it would let anyone make this node send
 * messages at the rate they write.
 */
export function checkStream(f: InboundFacts): StreamVerdict {
  const e = f.envelope;
  if (f.key !== e.from) {
    return {
      verdict: 'drop',
      reason: 'KEY_MISMATCH',
      detail: `record key ${JSON.stringify(f.key)} is not the sender ${e.from}`,
    };
  }
  if (!f.senderKnown) {
    return {
      verdict: 'drop',
      reason: 'UNKNOWN_SENDER',
      detail: `sender ${e.from} is not a known node`,
    };
  }
  if (!f.signatureValid) {
    return {
      verdict: 'drop',
      reason: 'BAD_SIGNATURE',
      detail: `signature does not verify with ${e.from}'s key`,
    };
  }
  if (e.to !== f.me) {
    return {
      verdict: 'drop',
      reason: 'MISADDRESSED',
      detail: `addressed to ${e.to}, not ${f.me}`,
    };
  }
  if (f.priorHash !== undefined) {
    if (f.priorHash === f.hash) return { verdict: 'redelivery' };
    return {
      verdict: 'refuse',
      reason: 'DUPLICATE',
      detail: `id ${e.id} was already received with other content`,
    };
  }
  const expected = f.position.lastSeq + 1;
  if (e.seq !== expected) {
    return {
      verdict: 'refuse',
      reason: 'SEQ_GAP',
      detail: `expected seq ${expected}, got ${e.seq}`,
    };
  }
  if (e.prevHash !== f.position.lastHash) {
    return {
      verdict: 'refuse',
      reason: 'CHAIN_BROKEN',
      detail: `prevHash does not match the hash of seq ${f.position.lastSeq}`,
    };
  }
  return { verdict: 'next' };
}

/** Refusals that mean the stream no longer fits its sender's (the monitor shows them). */
export function isDivergence(reason: RejectionReason): boolean {
  return reason === 'SEQ_GAP' || reason === 'CHAIN_BROKEN';
}
