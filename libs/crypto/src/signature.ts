import { KeyObject, sign, verify } from 'node:crypto';

export function signEd25519(data: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(data), privateKey).toString('base64url');
}

export function verifyEd25519(data: string, signature: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(data), publicKey, sig);
}
