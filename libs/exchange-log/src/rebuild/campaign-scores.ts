import { CampaignScores, Period, scoreCampaign, Weights } from '@yipanqi/evaluation';
import { scoringLog, VerdictCounts, verdictCounts } from '../scoring/scoring-log';
import { VerifiedMessage } from '../verify/log-verifier';

/** What a campaign is scored with; a published result carries all of it. */
export interface CampaignParameters {
  /** node codes, at least two */
  participants: readonly string[];
  period: Period;
  asOf: number;
  /** the campaign's weights for every pair; null: each pair's agreement weights, else the defaults */
  weights: Weights | null;
}

export interface CampaignComputation extends CampaignScores {
  /** per participant, its rejections of fellow participants' messages sent in the period, by verdict */
  rejections: Record<string, VerdictCounts>;
}

/**
 * A campaign's pair scores and ranking (DESIGN §7) from verified messages,
 * through the one derivation (scoringLog): SLAs of the texts in force when
 * each item opened, the campaign's weights over the pair's agreement weights
 * at the period's end, every rejection judged. The coordinator publishes
 * what this returns; the auditor calls it again on its replay and compares.
 */
export function recomputeCampaign(
  messages: readonly VerifiedMessage[],
  parameters: CampaignParameters,
): CampaignComputation {
  const { participants, period, asOf, weights } = parameters;
  const log = scoringLog(messages, asOf);
  const scores = scoreCampaign({
    participants,
    period,
    asOf,
    records: log.records,
    slaFor: log.history.slaFor,
    agreementWeights: (evaluator, evaluated) =>
      log.history.weightsFor(evaluator, evaluated, period.end),
    weights: weights ?? undefined,
  });
  return { ...scores, rejections: verdictCounts(log.rejections, period, participants) };
}
