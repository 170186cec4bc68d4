import { decimalRatio, dividedBy, plus, ratio, Ratio, times, ZERO } from './ratio';
import { IndicatorCode, INDICATORS } from './terms';

/** What an indicator's share of a score rests on: its weight and its counts. */
export interface IndicatorCounts {
  weight: number;
  items: number;
  numerator: number;
  denominator: number;
}

/** A pair score's indicators: a PairScore, with or without its message ids. */
export interface CountedPair {
  indicators: Record<IndicatorCode, IndicatorCounts>;
}

/**
 * score(A→B) as the exact fraction that PairScore.score rounds:
 * 100 × Σ wᵢ·numeratorᵢ/denominatorᵢ / Σ wᵢ over the indicators with counted
 * items, weights read as the decimals they are written as. Null where the
 * score is 'n/a' (no counted indicator, or only ones that weigh 0). The
 * ranking compares these, not the rounded scores, so that hundredths lost to
 * rounding never decide a place.
 */
export function exactPairScore(pair: CountedPair): Ratio | null {
  let weighted: Ratio = ZERO;
  let weightSum: Ratio = ZERO;
  for (const code of INDICATORS) {
    const { weight, items, numerator, denominator } = pair.indicators[code];
    if (items === 0) continue;
    const w = decimalRatio(weight);
    weighted = plus(weighted, times(w, ratio(numerator, denominator)));
    weightSum = plus(weightSum, w);
  }
  return weightSum.n === 0n ? null : times(ratio(100, 1), dividedBy(weighted, weightSum));
}
