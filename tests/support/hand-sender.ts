import { KeyObject } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { NodeKeys } from '@yipanqi/crypto';
import { envelopeHash, signEnvelope } from '@yipanqi/exchange';

/**
 * A sender driven by the test instead of a node: numbers and chains envelopes
 * like the outbox does, so that a test can sign with any key and produce
 * records the real outbox never would.
 */
export class HandSender {
  seq = 0;
  lastHash: string | null = null;
  /** the agreement its flow messages travel under */
  agreementId: string | null = null;

  constructor(
    readonly from: string,
    readonly to: string,
    /** the keys it signs with; a test rotates them */
    public keys: NodeKeys,
  ) {}

  draft(
    type: string,
    payload: Record<string, unknown>,
    over: Partial<UnsignedEnvelope> = {},
  ): UnsignedEnvelope {
    return {
      id: uuidv7(),
      type,
      v: 1,
      from: this.from,
      to: this.to,
      agreementId: this.agreementId,
      correlationId: null,
      causationId: null,
      seq: this.seq + 1,
      prevHash: this.lastHash,
      occurredAt: new Date().toISOString(),
      payload,
      ...over,
    };
  }

  sign(unsigned: UnsignedEnvelope, key: KeyObject = this.keys.signing.privateKey): Envelope {
    return signEnvelope(unsigned, key);
  }

  /** the receiver will take this envelope into the stream */
  advance(envelope: Envelope): Envelope {
    this.seq = envelope.seq;
    this.lastHash = envelopeHash(envelope);
    return envelope;
  }
}
