/**
 * Exact non-negative rationals (BigInt numerator and denominator). Scores are
 * sums of weighted quotients such as 1/3; in binary or fixed-precision
 * decimal arithmetic a sum that is exactly …xx5 can come out as …xx4999 and
 * round the wrong way, and the node, the coordinator and the auditor must
 * agree to the cent.
 */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

export const ZERO: Ratio = { n: 0n, d: 1n };

/** The quotient of two non-negative integers. */
export function ratio(numerator: number, denominator: number): Ratio {
  if (denominator <= 0) throw new RangeError(`denominator must be positive, got ${denominator}`);
  return { n: BigInt(numerator), d: BigInt(denominator) };
}

export function plus(a: Ratio, b: Ratio): Ratio {
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

export function times(a: Ratio, b: Ratio): Ratio {
  return { n: a.n * b.n, d: a.d * b.d };
}

export function dividedBy(a: Ratio, b: Ratio): Ratio {
  if (b.n === 0n) throw new RangeError('division by zero');
  return { n: a.n * b.d, d: a.d * b.n };
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * A weight as the decimal it was written as: 12.5 is 125/10 and 0.1 is 1/10,
 * not the nearest binary double. `String` gives the shortest decimal that
 * reads back as the same double, which is the figure in the agreement's JSON.
 */
export function decimalRatio(value: number): Ratio {
  const match = DECIMAL.exec(String(value));
  if (!match) throw new RangeError(`weight must be a finite number ≥ 0, got ${value}`);
  const [, whole, fraction = '', exponent = '0'] = match;
  const scale = Number(exponent) - fraction.length;
  const digits = BigInt(whole + fraction);
  return scale >= 0
    ? { n: digits * 10n ** BigInt(scale), d: 1n }
    : { n: digits, d: 10n ** BigInt(-scale) };
}

/** Negative, 0 or positive as a is less than, equal to or greater than b. */
export function compare(a: Ratio, b: Ratio): number {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * `n/d` in lowest terms, e.g. `12345/137` or `80/1`: one spelling per value,
 * so that two computations of the same value compare equal as strings.
 */
export function ratioText(value: Ratio): string {
  const g = gcd(value.n, value.d);
  return `${value.n / g}/${value.d / g}`;
}

/** Rounded half-up to 2 decimals: floor(100·n/d + 1/2) hundredths. */
export function roundHalfUp2(value: Ratio): number {
  const hundredths = (200n * value.n + value.d) / (2n * value.d);
  return Number(hundredths) / 100;
}
