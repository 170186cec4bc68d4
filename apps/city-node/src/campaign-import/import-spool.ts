import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  hkdfSync,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline as pipelineCallback, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * An uploaded import file is read twice — once to check all of it before
 * anything is committed, once to commit — so it is kept on disk in between,
 * encrypted: it holds names and ID numbers in clear. AES-256-GCM under a key
 * derived from the node's data key; the IV and tag stay in memory, so a
 * spool outlives neither its import nor the process.
 */
export interface Spool {
  path: string;
  bytes: number;
  /** SHA-256 of the uploaded bytes (hex): the file's identity within a campaign */
  sha256: string;
  iv: Buffer;
  tag: Buffer;
}

export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file exceeds ${limit} bytes`);
  }
}

export class UploadNotUtf8Error extends Error {
  constructor() {
    super('the file is not UTF-8 text');
  }
}

const spoolKeys = new WeakMap<KeyObject, KeyObject>();

export function spoolKey(dataKey: KeyObject): KeyObject {
  let key = spoolKeys.get(dataKey);
  if (!key) {
    key = createSecretKey(
      Buffer.from(
        hkdfSync('sha256', dataKey.export(), Buffer.alloc(0), 'yipanqi import spool v1', 32),
      ),
    );
    spoolKeys.set(dataKey, key);
  }
  return key;
}

/**
 * Streams `source` into an encrypted file at `path` while hashing it,
 * counting its bytes against `maxBytes` and checking that it is UTF-8 (a
 * GBK export from a spreadsheet would otherwise turn every name into
 * replacement characters). The file is removed when this fails.
 */
export async function spoolUpload(
  source: Readable,
  path: string,
  key: KeyObject,
  maxBytes: number,
): Promise<Spool> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new UploadTooLargeError(maxBytes));
      hash.update(chunk);
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        return done(new UploadNotUtf8Error());
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        utf8.decode();
      } catch {
        return done(new UploadNotUtf8Error());
      }
      done();
    },
  });
  try {
    await pipeline(source, meter, cipher, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { path, bytes, sha256: hash.digest('hex'), iv, tag: cipher.getAuthTag() };
}

/** The uploaded bytes again, decrypted; the stream fails if the file was altered. */
export function readSpool(spool: Spool, key: KeyObject): Readable {
  const decipher = createDecipheriv('aes-256-gcm', key, spool.iv);
  decipher.setAuthTag(spool.tag);
  return pipelineCallback(createReadStream(spool.path), decipher, () => undefined);
}

export async function removeSpool(spool: Pick<Spool, 'path'>): Promise<void> {
  await rm(spool.path, { force: true });
}
