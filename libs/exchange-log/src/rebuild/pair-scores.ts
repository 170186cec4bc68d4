import { PairScore, Period } from '@yipanqi/evaluation';
import { scoreFromLog, scoringLog, VerdictCounts, verdictCounts } from '../scoring/scoring-log';
import { JudgedRejection } from '../scoring/rejection-verdicts';
import { VerifiedMessage } from '../verify/log-verifier';

export interface ScoreRecomputation {
  period: Period;
  asOf: number;
  /** every ordered pair of nodes that exchanged a message, by evaluator then evaluated */
  pairs: PairScore[];
  /** every rejection in the log with its verdict */
  rejections: JudgedRejection[];
  /** per rejecting node, its rejections of messages sent in the period, by verdict */
  verdicts: Record<string, VerdictCounts>;
}

/**
 * Every pair's score (DESIGN §7) recomputed from the messages that entered
 * their streams, through the one derivation the nodes and the coordinator
 * use (scoringLog). Both directions of a pair are scored.
 */
export function recomputeScores(
  messages: readonly VerifiedMessage[],
  period: Period,
  asOf: number,
): ScoreRecomputation {
  const log = scoringLog(messages, asOf);
  const pairs = new Set<string>();
  for (const m of messages) {
    if (m.from === m.to) continue;
    pairs.add(`${m.from}~${m.to}`);
    pairs.add(`${m.to}~${m.from}`);
  }
  const scores = [...pairs].sort(byCodes).map((key) => {
    const [evaluator, evaluated] = key.split('~');
    return scoreFromLog(log, { evaluator, evaluated, period, asOf });
  });
  return {
    period,
    asOf,
    pairs: scores,
    rejections: log.rejections,
    verdicts: verdictCounts(log.rejections, period),
  };
}

/** Node codes compare as plain strings, the same on every machine. */
function byCodes(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
