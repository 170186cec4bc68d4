import { KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export function signEd25519(data: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(data), privateKey).toString('base64url');
}

export function verifyEd25519(data: string, signature: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(data), publicKey, sig);
}

/**
 * The same check on libuv's threadpool (node:crypto's callback form), so that
 * a process verifying many signatures uses every core while its main thread
 * goes on parsing and hashing. Same answer as verifyEd25519 for every input.
 */
export function verifyEd25519Async(
  data: string,
  signature: string,
  publicKey: KeyObject,
): Promise<boolean> {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    verify(null, Buffer.from(data), publicKey, sig, (err, valid) =>
      err ? reject(err) : resolve(valid),
    );
  });
}

/**
 * `record` with `sig`: the Ed25519 signature over the RFC 8785 form of all
 * its fields. How the coordinator signs what it publishes (directory entries,
 * campaign results), so every reader checks them the same way.
 */
export function signRecord<T extends object>(
  record: T,
  privateKey: KeyObject,
): T & { sig: string } {
  return { ...record, sig: signEd25519(canonicalJson(record), privateKey) };
}

/** Whether `record.sig` verifies over the RFC 8785 form of every other field of `record`. */
export function hasValidRecordSignature(
  record: Record<string, unknown>,
  publicKey: KeyObject,
): boolean {
  const { sig, ...signed } = record;
  return typeof sig === 'string' && verifyEd25519(canonicalJson(signed), sig, publicKey);
}
