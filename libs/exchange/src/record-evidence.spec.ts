import { createHash } from 'node:crypto';
import { cut, EVIDENCE_HEAD_BYTES, evidenceIsWhole, recordEvidence } from './record-evidence';

describe('record evidence', () => {
  it('keeps the size, digest and first bytes of a record of any size', () => {
    const value = Buffer.alloc(1_000_000, 0x41);
    const e = recordEvidence(value, '441300', { type: 'notice' });
    expect(e.size).toBe(1_000_000);
    expect(e.sha256).toBe(createHash('sha256').update(value).digest('hex'));
    expect(Buffer.from(e.head, 'base64')).toEqual(value.subarray(0, EVIDENCE_HEAD_BYTES));
    expect(JSON.parse(e.headers)).toEqual({ type: 'notice' });
    expect(e.key).toBe('441300');
    expect(evidenceIsWhole(e)).toBe(false);
  });

  it('bounds headers and keys a writer chose', () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 40; i++) headers[`h${i}`] = 'v'.repeat(10_000);
    const e = recordEvidence(Buffer.from('{}'), 'k'.repeat(5000), headers);
    const kept = JSON.parse(e.headers) as Record<string, string>;
    expect(Object.keys(kept)).toHaveLength(16);
    expect(Object.values(kept).every((v) => v.length === 256)).toBe(true);
    expect(e.key).toHaveLength(64);
    expect(evidenceIsWhole(e)).toBe(true);
  });

  it('keeps an empty record as an empty one', () => {
    const e = recordEvidence(null, null, undefined);
    expect(e).toMatchObject({ size: 0, head: '', key: null, headers: '{}' });
  });

  it('never cuts a surrogate pair in half', () => {
    expect(cut('a😀b', 2)).toBe('a');
    expect(cut('a😀b', 3)).toBe('a😀');
  });
});
