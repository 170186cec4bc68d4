import { createHmac, createSecretKey, hkdfSync, KeyObject, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { PiiDecryptionError } from './pii-encryption';

/**
 * Personal data a node keeps about its own work (what it sent, what it
 * registered) is encrypted under a node-local 256-bit data key: JWE with
 * `dir` key management and A256GCM. A fresh ECDH-ES agreement per record
 * (what travelling data needs) would cost ten times as much for nothing —
 * the data never leaves the node. Received data stays as it arrived,
 * encrypted to the node's X25519 key.
 */
const FILE = 'data-at-rest.key';
const ALG = 'dir';
const ENC = 'A256GCM';

export function loadOrCreateDataKey(dir: string): KeyObject {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, FILE);
  if (!existsSync(path)) {
    writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  const raw = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  if (raw.length !== 32) throw new Error(`${path} must hold 32 bytes (base64url)`);
  return createSecretKey(raw);
}

export async function encryptAtRest(value: unknown, dataKey: KeyObject): Promise<string> {
  const plaintext = new TextEncoder().encode(JSON.stringify(value));
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: ALG, enc: ENC, cty: 'json' })
    .encrypt(dataKey);
}

export async function decryptAtRest(jwe: string, dataKey: KeyObject): Promise<unknown> {
  try {
    const { plaintext } = await compactDecrypt(jwe, dataKey, {
      keyManagementAlgorithms: [ALG],
      contentEncryptionAlgorithms: [ENC],
    });
    return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
  } catch (err) {
    throw new PiiDecryptionError(`cannot decrypt: ${(err as Error).message}`);
  }
}

/**
 * Keyed HMAC blind index of an identifier (an ID number, a certificate
 * number): equal inputs give equal indexes, so a node can look a person up
 * without storing the number in clear, and without the node-local key the
 * index cannot be reversed by trying all ~10⁹ plausible numbers. The HMAC
 * key is derived from the data key, so there is no second key file.
 */
export function blindIndex(dataKey: KeyObject, value: string): string {
  let key = blindIndexKeys.get(dataKey);
  if (!key) {
    key = Buffer.from(
      hkdfSync('sha256', dataKey.export(), Buffer.alloc(0), 'yipanqi blind index v1', 32),
    );
    blindIndexKeys.set(dataKey, key);
  }
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

const blindIndexKeys = new WeakMap<KeyObject, Buffer>();
