import { CountedPair, exactPairScore } from './exact-score';
import { Period, ScoringRecord } from './log-record';
import { compare, plus, ratio, Ratio, ratioText, roundHalfUp2, times, ZERO } from './ratio';
import { PairScore, scorePair } from './score-pair';
import { effectiveWeights, SlaLookup, Weights } from './terms';

/** One participant's place in a campaign. */
export interface Standing {
  node: string;
  /** 1 is best; all participants without a score share the rank after the last scored one */
  rank: number;
  /** exactScore half-up to 2 decimals, for display; 'n/a' when no partner gave a score */
  score: number | 'n/a';
  /**
   * the mean of the exact scores its partners gave it, `n/d` in lowest terms
   * (e.g. `12345/137`): what the ranking compares; null when none gave one
   */
  exactScore: string | null;
  /** counted items behind those scores: the first tie-break */
  items: number;
  /** the partners whose scores make the mean (their pair scores hold the message ids) */
  scoredBy: string[];
}

/** What the ranking reads of a pair score: a PairScore, with or without its message ids. */
export interface RankedPair extends CountedPair {
  evaluator: string;
  evaluated: string;
  period: Period;
  asOf: number;
  items: number;
}

function checkParticipants(participants: readonly string[]): Set<string> {
  const members = new Set(participants);
  if (members.size !== participants.length) throw new RangeError('a participant is listed twice');
  return members;
}

type Unranked = Omit<Standing, 'rank'> & { mean: Ratio | null };

/**
 * Ranks participants by the exact mean of the exact scores their fellow
 * participants gave them ('n/a' scores left out), rounded only for display.
 * Ties (equal exact means): more counted items first, then the lower node
 * code. Pair scores involving a non-participant are ignored.
 */
export function rankCampaign(
  participants: readonly string[],
  pairScores: readonly RankedPair[],
): Standing[] {
  const members = checkParticipants(participants);
  const relevant = pairScores.filter(
    (p) => members.has(p.evaluator) && members.has(p.evaluated) && p.evaluator !== p.evaluated,
  );
  const seen = new Set<string>();
  for (const p of relevant) {
    const pair = `${p.evaluator}→${p.evaluated}`;
    if (seen.has(pair)) throw new RangeError(`two scores for ${pair}`);
    seen.add(pair);
    if (
      p.period.start !== relevant[0].period.start ||
      p.period.end !== relevant[0].period.end ||
      p.asOf !== relevant[0].asOf
    ) {
      throw new RangeError('pair scores of different periods or as-of instants cannot be ranked');
    }
  }

  const standings = participants.map((node): Unranked => {
    const given = relevant.flatMap((p) => {
      const exact = p.evaluated === node ? exactPairScore(p) : null;
      return exact ? [{ evaluator: p.evaluator, items: p.items, exact }] : [];
    });
    const mean =
      given.length === 0
        ? null
        : times(
            given.reduce((sum: Ratio, p) => plus(sum, p.exact), ZERO),
            ratio(1, given.length),
          );
    return {
      node,
      score: mean ? roundHalfUp2(mean) : 'n/a',
      exactScore: mean ? ratioText(mean) : null,
      items: given.reduce((sum, p) => sum + p.items, 0),
      scoredBy: given.map((p) => p.evaluator).sort(),
      mean,
    };
  });
  standings.sort(byMerit);
  const scoredCount = standings.filter((s) => s.mean !== null).length;
  return standings.map(({ mean, ...s }, i) => ({
    ...s,
    rank: mean === null ? scoredCount + 1 : i + 1,
  }));
}

/** Node codes compare as plain strings: a locale-aware compare could differ between machines. */
function byCode(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Higher exact mean first, 'n/a' last; then more items; then the lower node code. */
function byMerit(x: Unranked, y: Unranked): number {
  if (x.mean === null || y.mean === null) {
    if (x.mean !== y.mean) return x.mean === null ? 1 : -1;
    return byCode(x.node, y.node);
  }
  return compare(y.mean, x.mean) || y.items - x.items || byCode(x.node, y.node);
}

export interface CampaignInput {
  participants: readonly string[];
  period: Period;
  asOf: number;
  records: readonly ScoringRecord[];
  slaFor?: SlaLookup;
  /** the weights of the agreement between a pair, if it sets them */
  agreementWeights?: (evaluator: string, evaluated: string) => Weights | undefined;
  /** the campaign's weights: when set, they apply to every pair */
  weights?: Weights;
}

export interface CampaignScores {
  /** every ordered pair of distinct participants */
  pairs: PairScore[];
  ranking: Standing[];
}

function pairKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** Scores every ordered pair of participants on one log and ranks them. */
export function scoreCampaign(input: CampaignInput): CampaignScores {
  checkParticipants(input.participants);
  // one pass splits the log by pair, so each pair score reads only its own messages
  const byPair = new Map<string, ScoringRecord[]>();
  for (const r of input.records) {
    const key = pairKey(r.from, r.to);
    const records = byPair.get(key);
    if (records) records.push(r);
    else byPair.set(key, [r]);
  }
  const pairs = input.participants.flatMap((evaluator) =>
    input.participants
      .filter((evaluated) => evaluated !== evaluator)
      .map((evaluated) =>
        scorePair({
          evaluator,
          evaluated,
          period: input.period,
          asOf: input.asOf,
          records: byPair.get(pairKey(evaluator, evaluated)) ?? [],
          slaFor: input.slaFor,
          weights: effectiveWeights({
            agreement: input.agreementWeights?.(evaluator, evaluated),
            campaign: input.weights,
          }),
        }),
      ),
  );
  return { pairs, ranking: rankCampaign(input.participants, pairs) };
}
