import { PairScore, Period, scorePair } from '@yipanqi/evaluation';
import { VerifiedMessage } from '../verify/log-verifier';
import { AgreementTerms } from './agreement-terms';

export interface ScoreRecomputation {
  period: Period;
  asOf: number;
  /** every ordered pair of nodes that exchanged a message, by evaluator then evaluated */
  pairs: PairScore[];
}

/**
 * Every pair's score (DESIGN §7) recomputed with libs/evaluation — the same
 * functions the nodes and the coordinator call — from the messages that
 * entered their streams, with each pair's SLAs and weights from the agreement
 * texts in force (AgreementTerms). Both directions of a pair are scored: A
 * scores B and B scores A.
 */
export function recomputeScores(
  messages: readonly VerifiedMessage[],
  period: Period,
  asOf: number,
): ScoreRecomputation {
  const terms = new AgreementTerms(messages);
  // scorePair reads only the pair's messages: hand each pair its own, not the whole log
  const byPair = new Map<string, VerifiedMessage[]>();
  for (const m of messages) {
    if (m.from === m.to) continue;
    const key = [m.from, m.to].sort().join('~');
    const list = byPair.get(key);
    if (list) list.push(m);
    else byPair.set(key, [m]);
  }
  const pairs: PairScore[] = [];
  for (const [key, records] of byPair) {
    const [a, b] = key.split('~');
    for (const [evaluator, evaluated] of [
      [a, b],
      [b, a],
    ]) {
      pairs.push(
        scorePair({
          evaluator,
          evaluated,
          period,
          asOf,
          records,
          slaFor: terms.slaFor,
          weights: terms.weightsFor(evaluator, evaluated, period.end),
        }),
      );
    }
  }
  pairs.sort((x, y) =>
    x.evaluator === y.evaluator
      ? x.evaluated.localeCompare(y.evaluated)
      : x.evaluator.localeCompare(y.evaluator),
  );
  return { period, asOf, pairs };
}
