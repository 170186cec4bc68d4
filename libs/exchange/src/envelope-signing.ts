import { KeyObject } from 'node:crypto';
import { Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url, signEd25519, verifyEd25519 } from '@yipanqi/crypto';

/** Signature over the RFC 8785 form of every field but `sig`. */
export function signEnvelope(unsigned: UnsignedEnvelope, signingKey: KeyObject): Envelope {
  return { ...unsigned, sig: signEd25519(canonicalJson(unsigned), signingKey) };
}

export function hasValidSignature(envelope: Envelope, signingKey: KeyObject): boolean {
  const { sig, ...unsigned } = envelope;
  return verifyEd25519(canonicalJson(unsigned), sig, signingKey);
}

/**
 * The hash that chains a stream and that receipts quote: SHA-256 of the
 * canonical form of the whole envelope, signature included, so a receipt
 * pins exactly the bytes that were signed.
 */
export function envelopeHash(envelope: Envelope): string {
  return sha256Base64url(canonicalJson(envelope));
}
