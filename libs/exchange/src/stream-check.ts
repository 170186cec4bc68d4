import { Envelope, RejectionReason } from '@yipanqi/contracts';

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
   * refused before it entered the stream; the stream does not advance.
   * `publish` is false when there is nobody to send a signed rejection to.
   */
  | { verdict: 'refuse'; reason: RejectionReason; detail: string; publish: boolean };

export interface InboundFacts {
  envelope: Envelope;
  hash: string;
  /** this node's code */
  me: string;
  /** undefined: the sender is not in the directory (or configuration) */
  senderKnown: boolean;
  signatureValid: boolean;
  /** where the from→me stream stands */
  position: StreamPosition;
  /** hash of an envelope with the same id that already entered the stream */
  priorHash: string | undefined;
}

/**
 * Decides what an authentic-looking envelope does to its stream, in the order
 * DESIGN §3 fixes: who sent it, is the signature good, have we seen the id,
 * is it the next seq, does it chain to the previous hash. Nothing here reads
 * the payload: a validly signed next envelope advances the stream even when
 * its payload is then rejected.
 */
export function checkStream(f: InboundFacts): StreamVerdict {
  const e = f.envelope;
  if (!f.senderKnown) {
    return {
      verdict: 'refuse',
      reason: 'UNKNOWN_SENDER',
      detail: `sender ${e.from} is not a known node`,
      publish: false,
    };
  }
  if (!f.signatureValid) {
    return {
      verdict: 'refuse',
      reason: 'BAD_SIGNATURE',
      detail: `signature does not verify with ${e.from}'s key`,
      publish: true,
    };
  }
  if (e.to !== f.me) {
    return {
      verdict: 'refuse',
      reason: 'OUT_OF_SCOPE',
      detail: `addressed to ${e.to}, not ${f.me}`,
      publish: true,
    };
  }
  if (f.priorHash !== undefined) {
    if (f.priorHash === f.hash) return { verdict: 'redelivery' };
    return {
      verdict: 'refuse',
      reason: 'DUPLICATE',
      detail: `id ${e.id} was already received with other content`,
      publish: true,
    };
  }
  const expected = f.position.lastSeq + 1;
  if (e.seq !== expected) {
    return {
      verdict: 'refuse',
      reason: 'SEQ_GAP',
      detail: `expected seq ${expected}, got ${e.seq}`,
      publish: true,
    };
  }
  if (e.prevHash !== f.position.lastHash) {
    return {
      verdict: 'refuse',
      reason: 'CHAIN_BROKEN',
      detail: `prevHash does not match the hash of seq ${f.position.lastSeq}`,
      publish: true,
    };
  }
  return { verdict: 'next' };
}
