import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A node's two key pairs: Ed25519 signs its envelopes, X25519 receives encrypted payloads. */
export interface NodeKeys {
  signing: { privateKey: KeyObject; publicKey: KeyObject };
  encryption: { privateKey: KeyObject; publicKey: KeyObject };
}

/** Public half as it travels in configuration and the directory: raw keys, base64url. */
export interface NodePublicKeys {
  signingKey: string;
  encryptionKey: string;
}

const FILES = {
  signing: 'signing-ed25519.pem',
  encryption: 'encryption-x25519.pem',
} as const;

export function generateNodeKeys(): NodeKeys {
  return {
    signing: generateKeyPairSync('ed25519'),
    encryption: generateKeyPairSync('x25519'),
  };
}

/**
 * Loads the node's private keys from `dir`, generating them on first start.
 * Private key files are written 0600: only the node's own user may read them.
 */
export function loadOrCreateNodeKeys(dir: string): NodeKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signingPath = join(dir, FILES.signing);
  const encryptionPath = join(dir, FILES.encryption);
  if (!existsSync(signingPath) || !existsSync(encryptionPath)) {
    const fresh = generateNodeKeys();
    writePrivateKey(signingPath, fresh.signing.privateKey);
    writePrivateKey(encryptionPath, fresh.encryption.privateKey);
  }
  const signingKey = createPrivateKey(readFileSync(signingPath));
  const encryptionKey = createPrivateKey(readFileSync(encryptionPath));
  if (signingKey.asymmetricKeyType !== 'ed25519' || encryptionKey.asymmetricKeyType !== 'x25519') {
    throw new Error(`key files in ${dir} are not an Ed25519 and an X25519 private key`);
  }
  return {
    signing: { privateKey: signingKey, publicKey: createPublicKey(signingKey) },
    encryption: { privateKey: encryptionKey, publicKey: createPublicKey(encryptionKey) },
  };
}

function writePrivateKey(path: string, key: KeyObject): void {
  writeFileSync(path, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function exportPublicKeys(keys: NodeKeys): NodePublicKeys {
  return {
    signingKey: rawPublicKey(keys.signing.publicKey),
    encryptionKey: rawPublicKey(keys.encryption.publicKey),
  };
}

/** A public key as it travels: the raw 32 bytes, base64url. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an OKP public key');
  return jwk.x;
}

export function importSigningPublicKey(raw: string): KeyObject {
  return importOkp(raw, 'Ed25519');
}

export function importEncryptionPublicKey(raw: string): KeyObject {
  return importOkp(raw, 'X25519');
}

function importOkp(raw: string, crv: 'Ed25519' | 'X25519'): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) {
    throw new Error(`not a base64url 32-byte ${crv} public key`);
  }
  return createPublicKey({ key: { kty: 'OKP', crv, x: raw }, format: 'jwk' });
}
