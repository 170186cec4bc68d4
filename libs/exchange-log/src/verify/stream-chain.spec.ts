import { ChainLink, StreamChain } from './stream-chain';

/** A well-formed stream of `n` links: seq i has hash hi and points at h(i-1). */
function stream(n: number): ChainLink[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${i + 1}`,
    seq: i + 1,
    prevHash: i === 0 ? null : `h${i}`,
    hash: `h${i + 1}`,
  }));
}

function walk(links: ChainLink[], anchored = false): StreamChain {
  const chain = new StreamChain('441300→511500', anchored);
  for (const link of links) chain.add(link);
  return chain;
}

describe('StreamChain', () => {
  it('accepts a stream that runs 1, 2, 3 … each chained to the previous hash', () => {
    const chain = walk(stream(5));
    expect(chain.findings).toEqual([]);
    expect(chain.head).toEqual({ seq: 5, hash: 'h5' });
  });

  it('reports a missing envelope once and carries on from the one after it', () => {
    const [m1, m2, , m4, m5] = stream(5);
    const chain = walk([m1, m2, m4, m5]);
    expect(chain.findings).toHaveLength(1);
    expect(chain.findings[0]).toMatchObject({
      kind: 'SEQ_GAP',
      messageIds: ['m4'],
      stream: '441300→511500',
      detail: 'seq 4 follows a gap: seq 3 missing',
    });
    expect(chain.openGaps()).toEqual([{ finding: chain.findings[0], missing: [3] }]);
  });

  it('names a run of missing seqs as a range', () => {
    const links = stream(6);
    const chain = walk([links[0], links[5]]);
    expect(chain.findings[0].detail).toBe('seq 6 follows a gap: seq 2–5 missing');
  });

  it('turns a gap filled later into one OUT_OF_ORDER finding naming both envelopes', () => {
    const [m1, m2, m3, m4] = stream(4);
    const chain = walk([m1, m3, m2, m4]);
    expect(chain.findings).toHaveLength(1);
    expect(chain.findings[0]).toMatchObject({
      kind: 'OUT_OF_ORDER',
      messageIds: ['m3', 'm2'],
      detail: 'seq 3 (m3) comes before seq 2 (m2)',
    });
    expect(chain.openGaps()).toEqual([]);
  });

  it('checks both links of an envelope that comes late', () => {
    const [m1, m2, m3] = stream(3);
    const chain = walk([m1, m3, { ...m2, hash: 'other' }]);
    expect(chain.findings.map((f) => [f.kind, f.messageIds])).toEqual([
      ['OUT_OF_ORDER', ['m3', 'm2']],
      ['CHAIN_BROKEN', ['m3', 'm2']],
    ]);
  });

  it('reports a broken link where prevHash is not the previous hash', () => {
    const [m1, m2, m3] = stream(3);
    const chain = walk([m1, m2, { ...m3, prevHash: 'forged' }]);
    expect(chain.findings).toEqual([
      expect.objectContaining({
        kind: 'CHAIN_BROKEN',
        messageIds: ['m3'],
        detail: 'seq 3: prevHash is not the hash of seq 2 (m2)',
      }),
    ]);
  });

  it('requires prevHash null at the start of a stream', () => {
    const chain = walk([{ id: 'm1', seq: 1, prevHash: 'h0', hash: 'h1' }]);
    expect(chain.findings[0]).toMatchObject({ kind: 'CHAIN_BROKEN', messageIds: ['m1'] });
  });

  it('reports a second envelope at a place already taken as a fork', () => {
    const [m1, m2, m3] = stream(3);
    const chain = walk([m1, m2, m3, { id: 'evil', seq: 2, prevHash: 'h1', hash: 'x' }]);
    expect(chain.findings).toEqual([
      expect.objectContaining({ kind: 'FORK', messageIds: ['evil', 'm2'] }),
    ]);
  });

  it('starts a time-range replay at the first envelope it sees', () => {
    const links = stream(8).slice(4);
    expect(walk(links, true).findings).toEqual([]);
    expect(walk(links, false).findings[0]).toMatchObject({ kind: 'SEQ_GAP' });
  });
});
