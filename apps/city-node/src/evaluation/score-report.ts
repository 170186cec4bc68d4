import { IndicatorCode, INDICATORS, PairScore } from '@yipanqi/evaluation';

/** One indicator in the summary: the figures without the message ids (the drill-down has them). */
export interface IndicatorSummary {
  weight: number;
  items: number;
  numerator: number;
  denominator: number;
  x: number | 'n/a';
  /** items of the period not yet decided at as-of */
  pending: number;
}

export interface PairSummary {
  evaluator: string;
  evaluated: string;
  score: number | 'n/a';
  items: number;
  indicators: Record<IndicatorCode, IndicatorSummary>;
}

export function summarise(score: PairScore): PairSummary {
  const indicators = {} as Record<IndicatorCode, IndicatorSummary>;
  for (const code of INDICATORS) {
    const { weight, items, numerator, denominator, x, pendingIds } = score.indicators[code];
    indicators[code] = { weight, items, numerator, denominator, x, pending: pendingIds.length };
  }
  const { evaluator, evaluated, items } = score;
  return { evaluator, evaluated, score: score.score, items, indicators };
}
