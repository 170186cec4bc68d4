import { createHash, KeyObject } from 'node:crypto';
import { canonicalJson, signEd25519, verifyEd25519 } from '@yipanqi/crypto';
import { PublicKeys } from './directory-rules';

/**
 * A node asks to join the directory with its public keys and a proof that it
 * holds the private signing key: its signature over this statement. Without
 * it, anyone could ask to register someone else's public key under a code.
 */
function statement(code: string, keys: PublicKeys): string {
  return canonicalJson({
    purpose: 'yipanqi.directory.registration',
    code,
    signingKey: keys.signingKey,
    encryptionKey: keys.encryptionKey,
  });
}

export function signRegistration(code: string, keys: PublicKeys, signingKey: KeyObject): string {
  return signEd25519(statement(code, keys), signingKey);
}

export function verifyRegistration(
  code: string,
  keys: PublicKeys,
  proof: string,
  publicSigningKey: KeyObject,
): boolean {
  return verifyEd25519(statement(code, keys), proof, publicSigningKey);
}

/**
 * What staff compare with the node's operator over another channel (phone,
 * letter) before approving: SHA-256 of the raw signing key, shown in groups.
 */
export function keyFingerprint(signingKey: string): string {
  const hex = createHash('sha256').update(Buffer.from(signingKey, 'base64url')).digest('hex');
  return (hex.slice(0, 32).match(/.{4}/g) as string[]).join(':');
}
