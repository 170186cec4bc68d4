import { CampaignScores, Period, scoreCampaign, Weights } from '@yipanqi/evaluation';
import { VerifiedMessage } from '../verify/log-verifier';
import { AgreementTerms } from './agreement-terms';

/** What a campaign is scored with; a published result carries all of it. */
export interface CampaignParameters {
  /** node codes, at least two */
  participants: readonly string[];
  period: Period;
  asOf: number;
  /** the campaign's weights for every pair; null: each pair's agreement weights, else the defaults */
  weights: Weights | null;
}

/**
 * A campaign's pair scores and ranking (DESIGN §7) from verified messages:
 * `scoreCampaign` of libs/evaluation with the SLAs of the agreement texts in
 * force when each item opened, and the campaign's weights over the pair's
 * agreement weights (those in force at the period's end, as recomputeScores
 * takes them). The coordinator publishes what this returns; the auditor
 * calls it again on its replay and compares.
 */
export function recomputeCampaign(
  messages: readonly VerifiedMessage[],
  parameters: CampaignParameters,
): CampaignScores {
  const terms = new AgreementTerms(messages);
  const { participants, period, asOf, weights } = parameters;
  return scoreCampaign({
    participants,
    period,
    asOf,
    records: messages,
    slaFor: terms.slaFor,
    agreementWeights: (evaluator, evaluated) => terms.weightsFor(evaluator, evaluated, period.end),
    weights: weights ?? undefined,
  });
}
