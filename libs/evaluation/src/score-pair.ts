import {
  Count,
  dataQuality,
  PairView,
  receiptTimeliness,
  subjectiveRating,
  taskCompletion,
  verificationAnswers,
} from './indicators';
import { Period, ScoringRecord } from './log-record';
import { PairLog } from './pair-log';
import { exactPairScore } from './exact-score';
import { decimalRatio, roundHalfUp2 } from './ratio';
import {
  DEFAULT_SLA,
  DEFAULT_WEIGHTS,
  IndicatorCode,
  INDICATORS,
  SlaLookup,
  Weights,
} from './terms';

export interface PairInput {
  /** A, who scores */
  evaluator: string;
  /** B, who is scored */
  evaluated: string;
  period: Period;
  /** epoch ms, at or after the period's end: what arrived later is not seen */
  asOf: number;
  /** the log; records of other pairs are ignored */
  records: readonly ScoringRecord[];
  /** default: DEFAULT_SLA for every item */
  slaFor?: SlaLookup;
  /** default: DEFAULT_WEIGHTS; see effectiveWeights */
  weights?: Weights;
}

/** One indicator of a pair score. */
export interface IndicatorScore extends Count {
  /** the pair's weight for it; it drops out of the score when x is 'n/a' */
  weight: number;
  /** 'n/a' without counted items, else the quotient for display (the score uses the exact fraction) */
  x: number | 'n/a';
}

/** score(A→B) for one period as of one instant (DESIGN §7). */
export interface PairScore {
  evaluator: string;
  evaluated: string;
  period: Period;
  asOf: number;
  /** 0–100, half-up to 2 decimals; 'n/a' when no indicator has counted items, or all those weigh 0 */
  score: number | 'n/a';
  /** counted items of all indicators: the campaign's first tie-break */
  items: number;
  indicators: Record<IndicatorCode, IndicatorScore>;
}

const INDICATOR_COUNTS: Record<IndicatorCode, (view: PairView) => Count> = {
  R: receiptTimeliness,
  V: verificationAnswers,
  T: taskCompletion,
  Q: dataQuality,
  S: subjectiveRating,
};

function checkInput(input: PairInput): void {
  const { evaluator, evaluated, period, asOf } = input;
  if (evaluator === evaluated) throw new RangeError(`a node does not score itself (${evaluator})`);
  if (!(period.start < period.end)) {
    throw new RangeError(`period start ${period.start} must be before its end ${period.end}`);
  }
  if (!(asOf >= period.end)) {
    throw new RangeError(`as-of ${asOf} must be at or after the period's end ${period.end}`);
  }
}

/**
 * score(A→B) = 100 × Σ wᵢxᵢ / Σ wᵢ over the indicators with counted items,
 * in exact fractions (exactPairScore), rounded half-up to 2 decimals once at
 * the end.
 */
export function scorePair(input: PairInput): PairScore {
  checkInput(input);
  const { evaluator, evaluated, period, asOf } = input;
  const weights = input.weights ?? DEFAULT_WEIGHTS;
  // every weight must be a decimal ≥ 0, also one whose indicator has nothing to count
  for (const code of INDICATORS) decimalRatio(weights[code]);
  const view: PairView = {
    log: new PairLog(input.records, [evaluator, evaluated], asOf),
    evaluator,
    evaluated,
    period,
    sla: (opening) =>
      input.slaFor?.(opening.agreementId, opening.brokerTime, [opening.from, opening.to]) ??
      DEFAULT_SLA,
  };

  let items = 0;
  const indicators = {} as Record<IndicatorCode, IndicatorScore>;
  for (const code of INDICATORS) {
    const count = INDICATOR_COUNTS[code](view);
    items += count.items;
    indicators[code] = {
      weight: weights[code],
      ...count,
      x: count.items > 0 ? count.numerator / count.denominator : 'n/a',
    };
  }
  // the exact fraction the ranking compares; rounded here, once, for display
  const exact = exactPairScore({ indicators });
  const score = exact === null ? 'n/a' : roundHalfUp2(exact);
  return { evaluator, evaluated, period, asOf, score, items, indicators };
}
