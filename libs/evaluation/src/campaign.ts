import { Period, ScoringRecord } from './log-record';
import { ratio, roundHalfUp2 } from './ratio';
import { PairScore, scorePair } from './score-pair';
import { effectiveWeights, SlaLookup, Weights } from './terms';

/** One participant's place in a campaign. */
export interface Standing {
  node: string;
  /** 1 is best; all participants without a score share the rank after the last scored one */
  rank: number;
  /** mean of the scores its partners gave it, half-up to 2 decimals; 'n/a' when none gave one */
  score: number | 'n/a';
  /** counted items behind those scores: the first tie-break */
  items: number;
  /** the partners whose scores make the mean (their pair scores hold the message ids) */
  scoredBy: string[];
}

function checkParticipants(participants: readonly string[]): Set<string> {
  const members = new Set(participants);
  if (members.size !== participants.length) throw new RangeError('a participant is listed twice');
  return members;
}

/**
 * Ranks participants by the mean of the scores their fellow participants
 * gave them ('n/a' scores left out). Ties on the published, rounded mean:
 * more counted items first, then the lower node code. Pair scores involving
 * a non-participant are ignored.
 */
export function rankCampaign(
  participants: readonly string[],
  pairScores: readonly PairScore[],
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

  const standings = participants.map((node): Omit<Standing, 'rank'> => {
    const given = relevant.flatMap((p) =>
      p.evaluated === node && p.score !== 'n/a' ? [{ ...p, score: p.score }] : [],
    );
    // pair scores carry 2 decimals, so their hundredths are integers and the mean stays exact
    const hundredths = given.reduce((sum, p) => sum + Math.round(p.score * 100), 0);
    return {
      node,
      score: given.length > 0 ? roundHalfUp2(ratio(hundredths, 100 * given.length)) : 'n/a',
      items: given.reduce((sum, p) => sum + p.items, 0),
      scoredBy: given.map((p) => p.evaluator).sort(),
    };
  });
  standings.sort(byMerit);
  const scoredCount = standings.filter((s) => s.score !== 'n/a').length;
  return standings.map((s, i) => ({ ...s, rank: s.score === 'n/a' ? scoredCount + 1 : i + 1 }));
}

/** Node codes compare as plain strings: a locale-aware compare could differ between machines. */
function byCode(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Higher score first, 'n/a' last; then more items; then the lower node code. */
function byMerit(x: Omit<Standing, 'rank'>, y: Omit<Standing, 'rank'>): number {
  if (x.score === 'n/a' || y.score === 'n/a') {
    if (x.score !== y.score) return x.score === 'n/a' ? 1 : -1;
    return byCode(x.node, y.node);
  }
  return y.score - x.score || y.items - x.items || byCode(x.node, y.node);
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
