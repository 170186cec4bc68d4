import {
  compare,
  decimalRatio,
  dividedBy,
  plus,
  ratio,
  Ratio,
  ratioText,
  roundHalfUp2,
  times,
  ZERO,
} from './ratio';

/** Equal as numbers, whatever the representation (3/6 equals 1/2). */
function same(a: Ratio, b: Ratio): boolean {
  return a.n * b.d === b.n * a.d;
}

describe('exact ratios', () => {
  it('adds, multiplies and divides without loss', () => {
    // 1/3 + 1/6 = 1/2; 2/3 × 3/4 = 1/2; (1/2) / (1/4) = 2
    expect(same(plus(ratio(1, 3), ratio(1, 6)), ratio(1, 2))).toBe(true);
    expect(same(times(ratio(2, 3), ratio(3, 4)), ratio(1, 2))).toBe(true);
    expect(same(dividedBy(ratio(1, 2), ratio(1, 4)), ratio(2, 1))).toBe(true);
    expect(same(plus(ZERO, ratio(5, 7)), ratio(5, 7))).toBe(true);
  });

  it('refuses a zero denominator, a division by zero and fractional counts', () => {
    expect(() => ratio(1, 0)).toThrow(RangeError);
    expect(() => dividedBy(ratio(1, 2), ZERO)).toThrow(RangeError);
    expect(() => ratio(1.5, 2)).toThrow(RangeError);
  });

  it.each([
    [20, 20n, 1n],
    [12.5, 125n, 10n],
    [0.1, 1n, 10n],
    [0, 0n, 1n],
    [1e-7, 1n, 10_000_000n],
    [1.5e-7, 15n, 100_000_000n],
  ])('reads the weight %p as the decimal it is written as', (weight, n, d) => {
    expect(same(decimalRatio(weight), { n, d })).toBe(true);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the weight %p', (weight) => {
    expect(() => decimalRatio(weight)).toThrow(RangeError);
  });

  it.each([
    [ratio(3125, 1000), 3.13], // exactly half a hundredth: up
    [ratio(1005, 1000), 1.01], // the double 1.005 is 1.00499…; the ratio is exact
    [ratio(2, 3), 0.67],
    [ratio(1, 3), 0.33],
    [ratio(53_125, 1000), 53.13],
    [ZERO, 0],
    [ratio(100, 1), 100],
  ])('rounds %p half-up to %p', (value, rounded) => {
    expect(roundHalfUp2(value)).toBe(rounded);
  });
});

describe('comparing and writing ratios', () => {
  it('compares by value, whatever the representation', () => {
    expect(compare(ratio(1, 2), ratio(2, 4))).toBe(0);
    expect(compare(ratio(1, 3), ratio(1, 2))).toBeLessThan(0);
    expect(compare(ratio(2, 3), ratio(1, 2))).toBeGreaterThan(0);
  });

  it('writes n/d in lowest terms', () => {
    expect(ratioText(ratio(24690, 274))).toBe('12345/137');
    expect(ratioText(ratio(160, 2))).toBe('80/1');
    expect(ratioText(ratio(0, 7))).toBe('0/1');
  });
});
