import { EVIDENCE_DIGEST, evidenceDigest } from './evidence-digest';

const A = '01900000-0000-7000-8000-000000000001';
const B = '01900000-0000-7000-8000-000000000002';
const C = '01900000-0000-7000-8000-000000000003';

const none = { numeratorIds: [], denominatorIds: [], pendingIds: [] };

// The expected values were computed apart from this code (Python's hashlib over the text in the comment).
describe('evidenceDigest', () => {
  it('has a known digest for no ids at all', () => {
    // "yipanqi.evidence.v1\nnumerator 0\ndenominator 0\npending 0\n"
    expect(evidenceDigest(none)).toBe('kEWsQI1xrqwTX6cpn3_pDQ');
  });

  it('gives the known answer for a fixed set of lists', () => {
    // "yipanqi.evidence.v1\nnumerator 1\nB\ndenominator 2\nA\nB\npending 1\nC\n"
    const digest = evidenceDigest({ numeratorIds: [B], denominatorIds: [B, A], pendingIds: [C] });
    expect(digest).toBe('3_ATpHMe2HLrP3rx3SIr0g');
    expect(digest).toMatch(EVIDENCE_DIGEST);
  });

  it('ignores order and repetition within a list', () => {
    const lists = { numeratorIds: [B], denominatorIds: [A, B], pendingIds: [C] };
    expect(evidenceDigest({ ...lists, denominatorIds: [B, A, B] })).toBe(evidenceDigest(lists));
  });

  it('tells the lists apart: the same ids in another list give another digest', () => {
    const digests = new Set([
      evidenceDigest({ ...none, numeratorIds: [A] }),
      evidenceDigest({ ...none, denominatorIds: [A] }),
      evidenceDigest({ ...none, pendingIds: [A] }),
      evidenceDigest({ ...none, numeratorIds: [A, B] }),
      evidenceDigest({ ...none, numeratorIds: [A], denominatorIds: [B] }),
    ]);
    expect(digests.size).toBe(5);
  });

  it('sorts by UTF-8 bytes, not by UTF-16 code units', () => {
    // U+FF5E is EF BD 9E, U+1F600 is F0 9F 98 80; in UTF-16 the emoji (D83D DE00) would sort first
    // "yipanqi.evidence.v1\nnumerator 2\n～\n😀\ndenominator 0\npending 0\n"
    const ids = ['\u{1F600}', '\uFF5E'];
    expect(evidenceDigest({ ...none, numeratorIds: ids })).toBe('6ZWAE_qxFxdI4pJAQbmdqw');
  });

  it('refuses ids that would make the text ambiguous or have no UTF-8 form', () => {
    expect(() => evidenceDigest({ ...none, pendingIds: ['a\nb'] })).toThrow(RangeError);
    expect(() => evidenceDigest({ ...none, pendingIds: ['\uD83D'] })).toThrow(RangeError);
  });
});
