import { dropIsSampled } from './drop-sampling';

describe('drop sampling', () => {
  it('keeps the first twenty, then one in a thousand', () => {
    const kept = [];
    for (let n = 1; n <= 10_000; n++) if (dropIsSampled(n)) kept.push(n);
    expect(kept).toHaveLength(20 + 10);
    expect(kept.slice(0, 21)).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 1000]);
  });
});
