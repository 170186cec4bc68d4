import { KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * Personal data travels as JWE compact serialization, ECDH-ES key agreement
 * with the recipient's X25519 key and A256GCM content encryption (DESIGN §3).
 * Only the recipient (and nobody on the broker) can read it.
 */
const ALG = 'ECDH-ES';
const ENC = 'A256GCM';

export async function encryptPii(value: unknown, recipientPublicKey: KeyObject): Promise<string> {
  const plaintext = new TextEncoder().encode(JSON.stringify(value));
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: ALG, enc: ENC, cty: 'json' })
    .encrypt(recipientPublicKey);
}

export class PiiDecryptionError extends Error {}

export async function decryptPii(jwe: string, privateKey: KeyObject): Promise<unknown> {
  let plaintext: Uint8Array;
  try {
    const result = await compactDecrypt(jwe, privateKey, {
      keyManagementAlgorithms: [ALG],
      contentEncryptionAlgorithms: [ENC],
    });
    plaintext = result.plaintext;
  } catch (err) {
    throw new PiiDecryptionError(`cannot decrypt: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
  } catch {
    throw new PiiDecryptionError('decrypted content is not JSON');
  }
}
