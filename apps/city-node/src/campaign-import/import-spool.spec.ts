import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import {
  readSpool,
  spoolKey,
  spoolUpload,
  UploadNotUtf8Error,
  UploadTooLargeError,
} from './import-spool';

const dir = mkdtempSync(join(tmpdir(), 'spool-'));
const key = spoolKey(createSecretKey(randomBytes(32)));
const csv = 'idNumber,name\n511502199001011234,王伟\n';

/** The same bytes cut into pieces of `size`, as a socket might deliver them. */
function pieces(content: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < content.length; i += size) parts.push(content.subarray(i, i + size));
  return Readable.from(parts);
}

describe('the upload spool', () => {
  it('identifies a file by the SHA-256 of its bytes, however they arrive', async () => {
    const bytes = Buffer.from(csv);
    const whole = await spoolUpload(Readable.from([bytes]), join(dir, 'a'), key, 1000);
    const byteByByte = await spoolUpload(pieces(bytes, 1), join(dir, 'b'), key, 1000);
    expect(whole.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(byteByByte.sha256).toBe(whole.sha256);
    expect(whole.bytes).toBe(bytes.length);
  });

  it('tells apart files that differ in one byte, or only by a byte-order mark', async () => {
    const a = await spoolUpload(Readable.from([Buffer.from(csv)]), join(dir, 'c'), key, 1000);
    const b = await spoolUpload(
      Readable.from([Buffer.from(csv.replace('王伟', '王芳'))]),
      join(dir, 'd'),
      key,
      1000,
    );
    const bom = await spoolUpload(
      Readable.from([Buffer.from(`\ufeff${csv}`)]),
      join(dir, 'e'),
      key,
      1000,
    );
    expect(new Set([a.sha256, b.sha256, bom.sha256]).size).toBe(3);
  });

  it('keeps the file encrypted on disk and gives back the same text', async () => {
    const spool = await spoolUpload(Readable.from([Buffer.from(csv)]), join(dir, 'f'), key, 1000);
    const onDisk = readFileSync(spool.path);
    expect(onDisk.includes(Buffer.from('王伟'))).toBe(false);
    expect(onDisk.includes(Buffer.from('idNumber'))).toBe(false);
    expect(await text(readSpool(spool, key))).toBe(csv);
  });

  it('refuses a file that was altered on disk', async () => {
    const spool = await spoolUpload(Readable.from([Buffer.from(csv)]), join(dir, 'g'), key, 1000);
    const bytes = readFileSync(spool.path);
    bytes[3] ^= 1;
    writeFileSync(spool.path, bytes);
    await expect(text(readSpool(spool, key))).rejects.toThrow();
  });

  it('stops at the size limit and leaves no file', async () => {
    const path = join(dir, 'h');
    await expect(
      spoolUpload(pieces(Buffer.from(csv), 8), path, key, csv.length - 1),
    ).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(existsSync(path)).toBe(false);
  });

  it('accepts UTF-8 whose characters are cut between pieces', async () => {
    const spool = await spoolUpload(pieces(Buffer.from(csv), 1), join(dir, 'i'), key, 1000);
    expect(await text(readSpool(spool, key))).toBe(csv);
  });

  it('refuses text that is not UTF-8 (a GBK export), and one cut off inside a character', async () => {
    const gbk = Buffer.from([0x69, 0x64, 0x0a, 0xcd, 0xf5, 0xce, 0xb0, 0x0a]); // "id\n王伟\n" in GBK
    await expect(
      spoolUpload(Readable.from([gbk]), join(dir, 'j'), key, 1000),
    ).rejects.toBeInstanceOf(UploadNotUtf8Error);
    const cut = Buffer.from('王伟').subarray(0, 4);
    await expect(
      spoolUpload(Readable.from([cut]), join(dir, 'k'), key, 1000),
    ).rejects.toBeInstanceOf(UploadNotUtf8Error);
    expect(existsSync(join(dir, 'j'))).toBe(false);
  });
});
