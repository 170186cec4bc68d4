import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  blindIndex,
  canonicalJson,
  decryptAtRest,
  decryptPii,
  encryptAtRest,
  encryptPii,
  exportPublicKeys,
  generateNodeKeys,
  importEncryptionPublicKey,
  importSigningPublicKey,
  loadOrCreateDataKey,
  loadOrCreateNodeKeys,
  PiiDecryptionError,
  sha256Base64url,
  signEd25519,
  verifyEd25519,
  verifyEd25519Async,
} from './index';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys and normalises numbers so that equal values hash equally', () => {
    expect(canonicalJson({ b: 1, a: [1e2, 'x', { d: true, c: null }] })).toBe(
      '{"a":[100,"x",{"c":null,"d":true}],"b":1}',
    );
    expect(sha256Base64url(canonicalJson({ x: 1, y: 2 }))).toBe(
      sha256Base64url(canonicalJson({ y: 2, x: 1 })),
    );
  });
});

describe('Ed25519 signatures', () => {
  const keys = generateNodeKeys();

  it('verifies what was signed and nothing else', () => {
    const sig = signEd25519('hello', keys.signing.privateKey);
    expect(verifyEd25519('hello', sig, keys.signing.publicKey)).toBe(true);
    expect(verifyEd25519('hello!', sig, keys.signing.publicKey)).toBe(false);
    expect(verifyEd25519('hello', sig, generateNodeKeys().signing.publicKey)).toBe(false);
    expect(verifyEd25519('hello', 'c2hvcnQ', keys.signing.publicKey)).toBe(false);
  });

  it('gives the same answers on the threadpool as on the main thread', async () => {
    const sig = signEd25519('hello', keys.signing.privateKey);
    const other = generateNodeKeys().signing.publicKey;
    const cases: [string, string, typeof other][] = [
      ['hello', sig, keys.signing.publicKey],
      ['hello!', sig, keys.signing.publicKey],
      ['hello', sig, other],
      ['hello', 'c2hvcnQ', keys.signing.publicKey],
    ];
    const answers = await Promise.all(cases.map((c) => verifyEd25519Async(...c)));
    expect(answers).toEqual(cases.map((c) => verifyEd25519(...c)));
    expect(answers).toEqual([true, false, false, false]);
  });

  it('round-trips public keys through their raw base64url form', () => {
    const published = exportPublicKeys(keys);
    const sig = signEd25519('m', keys.signing.privateKey);
    expect(verifyEd25519('m', sig, importSigningPublicKey(published.signingKey))).toBe(true);
    expect(() => importSigningPublicKey('not-a-key')).toThrow(/32-byte Ed25519/);
  });
});

describe('personal data encryption (JWE ECDH-ES X25519 + A256GCM)', () => {
  const recipient = generateNodeKeys();

  it('only the recipient can read it', async () => {
    const jwe = await encryptPii({ name: '张三' }, recipient.encryption.publicKey);
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe).not.toContain('张三');
    await expect(decryptPii(jwe, recipient.encryption.privateKey)).resolves.toEqual({
      name: '张三',
    });
    await expect(decryptPii(jwe, generateNodeKeys().encryption.privateKey)).rejects.toThrow(
      PiiDecryptionError,
    );
  });

  it('accepts a published raw X25519 key', async () => {
    const pub = importEncryptionPublicKey(exportPublicKeys(recipient).encryptionKey);
    const jwe = await encryptPii([1, 2], pub);
    await expect(decryptPii(jwe, recipient.encryption.privateKey)).resolves.toEqual([1, 2]);
  });

  it('fails clearly on garbage', async () => {
    await expect(decryptPii('a.b.c.d.e', recipient.encryption.privateKey)).rejects.toThrow(
      PiiDecryptionError,
    );
  });
});

describe('key files', () => {
  it('are generated once, private files 0600, and reloaded unchanged', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'yipanqi-keys-')), 'keys');
    const first = loadOrCreateNodeKeys(dir);
    const mode = statSync(join(dir, 'signing-ed25519.pem')).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(statSync(join(dir, 'encryption-x25519.pem')).mode & 0o777).toBe(0o600);
    const pem = readFileSync(join(dir, 'signing-ed25519.pem'), 'utf8');
    const second = loadOrCreateNodeKeys(dir);
    expect(readFileSync(join(dir, 'signing-ed25519.pem'), 'utf8')).toBe(pem);
    expect(exportPublicKeys(second)).toEqual(exportPublicKeys(first));
  });
});

describe('data at rest (JWE dir + A256GCM under the node-local data key)', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'yipanqi-data-key-')), 'keys');

  it('keeps one key, 0600, across restarts', () => {
    const first = loadOrCreateDataKey(dir);
    expect(statSync(join(dir, 'data-at-rest.key')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDataKey(dir).export().equals(first.export())).toBe(true);
  });

  it('round-trips a record and hides its content', async () => {
    const key = loadOrCreateDataKey(dir);
    const jwe = await encryptAtRest({ name: '张三', phone: '13800000000' }, key);
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe).not.toContain('13800000000');
    await expect(decryptAtRest(jwe, key)).resolves.toEqual({ name: '张三', phone: '13800000000' });
  });

  it("refuses another node's key and tampered data", async () => {
    const key = loadOrCreateDataKey(dir);
    const other = loadOrCreateDataKey(join(mkdtempSync(join(tmpdir(), 'yipanqi-other-')), 'k'));
    const jwe = await encryptAtRest({ name: '张三' }, key);
    await expect(decryptAtRest(jwe, other)).rejects.toBeInstanceOf(PiiDecryptionError);
    const parts = jwe.split('.');
    parts[3] = parts[3].startsWith('A') ? `B${parts[3].slice(1)}` : `A${parts[3].slice(1)}`;
    await expect(decryptAtRest(parts.join('.'), key)).rejects.toBeInstanceOf(PiiDecryptionError);
  });
});

describe('blind index (keyed HMAC under the data key)', () => {
  const key = loadOrCreateDataKey(join(mkdtempSync(join(tmpdir(), 'yipanqi-bi-')), 'k'));
  const other = loadOrCreateDataKey(join(mkdtempSync(join(tmpdir(), 'yipanqi-bi2-')), 'k'));

  it('is stable for one key, so lookups find the record', () => {
    expect(blindIndex(key, '44130219900307123X')).toBe(blindIndex(key, '44130219900307123X'));
    expect(blindIndex(key, '44130219900307123X')).not.toBe(blindIndex(key, '441302199003071231'));
  });

  it('differs between nodes and does not contain the number', () => {
    const index = blindIndex(key, '44130219900307123X');
    expect(index).not.toBe(blindIndex(other, '44130219900307123X'));
    expect(index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(index).not.toContain('4413021990');
  });
});
