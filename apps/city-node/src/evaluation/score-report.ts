import { IndicatorCode, INDICATORS, PairScore } from '@yipanqi/evaluation';
import { IndicatorSummary, PairSummary } from './evaluation.views';

export function summarise(score: PairScore): PairSummary {
  const indicators = {} as Record<IndicatorCode, IndicatorSummary>;
  for (const code of INDICATORS) {
    const { weight, items, numerator, denominator, x, pendingIds } = score.indicators[code];
    indicators[code] = { weight, items, numerator, denominator, x, pending: pendingIds.length };
  }
  const { evaluator, evaluated, items } = score;
  return { evaluator, evaluated, score: score.score, items, indicators };
}
