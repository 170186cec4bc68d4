import { KeyObject } from 'node:crypto';
import { isNodeCode } from '@yipanqi/contracts';
import { hasValidRecordSignature, signRecord } from '@yipanqi/crypto';
import {
  CampaignScores,
  INDICATORS,
  PairScore,
  Period,
  Standing,
  Weights,
} from '@yipanqi/evaluation';
import { CampaignParameters } from '../rebuild/campaign-scores';

export const CAMPAIGN_RESULT_FORMAT = 'yipanqi.campaign-result';

/**
 * One computation of a campaign as the coordinator publishes it on
 * `<prefix>.evaluation` (record key = campaignId): the parameters it was
 * scored with — enough for anyone to score the log again — and every figure.
 */
export interface UnsignedCampaignResult {
  format: typeof CAMPAIGN_RESULT_FORMAT;
  version: 1;
  /** UUIDv7 of this computation; a campaign may be computed again later (another asOf) */
  resultId: string;
  campaignId: string;
  name: string;
  /** epoch ms, `[start, end)` */
  period: Period;
  /** epoch ms: nothing the broker appended later was counted */
  asOf: number;
  /** node codes in ascending order */
  participants: string[];
  /** the campaign's weights for every pair; null: each pair's agreement weights, else the defaults */
  weights: Weights | null;
  /** every ordered pair of participants, libs/evaluation's PairScore with the message ids */
  pairs: PairScore[];
  ranking: Standing[];
  /** epoch ms, coordinator clock */
  computedAt: number;
}

export interface CampaignResult extends UnsignedCampaignResult {
  /** base64url Ed25519 by the coordinator over the RFC 8785 form of every other field */
  sig: string;
}

export class CampaignResultError extends Error {}

/** A result whose figures the coordinator did not sign as they stand. */
export class CampaignSignatureError extends CampaignResultError {}

export function campaignResult(
  about: { resultId: string; campaignId: string; name: string; computedAt: number },
  parameters: CampaignParameters,
  scores: CampaignScores,
): UnsignedCampaignResult {
  return {
    format: CAMPAIGN_RESULT_FORMAT,
    version: 1,
    resultId: about.resultId,
    campaignId: about.campaignId,
    name: about.name,
    period: { start: parameters.period.start, end: parameters.period.end },
    asOf: parameters.asOf,
    participants: [...parameters.participants],
    weights: parameters.weights,
    pairs: scores.pairs,
    ranking: scores.ranking,
    computedAt: about.computedAt,
  };
}

export function signCampaignResult(
  result: UnsignedCampaignResult,
  coordinatorKey: KeyObject,
): CampaignResult {
  return signRecord(result, coordinatorKey);
}

/** The parameters a published result was scored with: what a recomputation must use. */
export function parametersOf(result: UnsignedCampaignResult): CampaignParameters {
  return {
    participants: result.participants,
    period: result.period,
    asOf: result.asOf,
    weights: result.weights,
  };
}

/**
 * Reads a record of the evaluation topic: a campaign result signed by the
 * coordinator, or CampaignResultError saying why not. The signature is
 * checked first (CampaignSignatureError), so that an altered figure in a
 * signed result is told apart from a record that is not a result at all.
 */
export function readCampaignResult(value: unknown, coordinatorKey: KeyObject): CampaignResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CampaignResultError('not a JSON object');
  }
  const record = value as Record<string, unknown>;
  if (typeof record.sig !== 'string') throw new CampaignResultError('unsigned');
  if (!hasValidRecordSignature(record, coordinatorKey)) {
    throw new CampaignSignatureError('signature does not verify with the coordinator key');
  }
  const problem = resultProblem(record);
  if (problem) throw new CampaignResultError(problem);
  return value as CampaignResult;
}

const FIELDS = [
  'format',
  'version',
  'resultId',
  'campaignId',
  'name',
  'period',
  'asOf',
  'participants',
  'weights',
  'pairs',
  'ranking',
  'computedAt',
  'sig',
];

const isEpochMs = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isScore = (v: unknown) => v === 'n/a' || (typeof v === 'number' && Number.isFinite(v));
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isIdList = (v: unknown) => Array.isArray(v) && v.every((id) => typeof id === 'string');

/**
 * What keeps a signed record from being read as a result, or undefined. Only
 * what the comparison reads is checked: a figure with a wrong value is the
 * comparison's business, a figure that is missing is this one's.
 */
function resultProblem(r: Record<string, unknown>): string | undefined {
  const extra = Object.keys(r).filter((k) => !FIELDS.includes(k));
  if (extra.length > 0) return `unknown fields: ${extra.join(', ')}`;
  if (r.format !== CAMPAIGN_RESULT_FORMAT || r.version !== 1) return 'not a campaign result v1';
  for (const field of ['resultId', 'campaignId', 'name'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') return `${field} is missing`;
  }
  const period = r.period as Partial<Period> | undefined;
  if (!isObject(period) || !isEpochMs(period.start) || !isEpochMs(period.end)) {
    return 'period is not {start, end} in epoch ms';
  }
  if (!isEpochMs(r.asOf) || !isEpochMs(r.computedAt)) return 'asOf or computedAt is not epoch ms';
  if (!Array.isArray(r.participants) || !r.participants.every(isNodeCode)) {
    return 'participants are not node codes';
  }
  if (r.weights !== null) {
    const w = r.weights as Record<string, unknown>;
    if (!isObject(w) || !INDICATORS.every((c) => typeof w[c] === 'number')) {
      return 'weights are neither null nor R, V, T, Q, S';
    }
  }
  if (!Array.isArray(r.pairs) || !r.pairs.every(isPairScore)) return 'a pair score is malformed';
  if (!Array.isArray(r.ranking) || !r.ranking.every(isStanding)) return 'a standing is malformed';
  return undefined;
}

function isPairScore(p: unknown): boolean {
  if (!isObject(p) || !isObject(p.period) || !isObject(p.indicators)) return false;
  const indicators = p.indicators;
  return (
    typeof p.evaluator === 'string' &&
    typeof p.evaluated === 'string' &&
    isScore(p.score) &&
    isCount(p.items) &&
    INDICATORS.every((code) => {
      const i = indicators[code];
      return (
        isObject(i) &&
        typeof i.weight === 'number' &&
        isCount(i.items) &&
        isCount(i.numerator) &&
        isCount(i.denominator) &&
        isIdList(i.numeratorIds) &&
        isIdList(i.denominatorIds) &&
        isIdList(i.pendingIds)
      );
    })
  );
}

function isStanding(s: unknown): boolean {
  return (
    isObject(s) &&
    typeof s.node === 'string' &&
    isCount(s.rank) &&
    isScore(s.score) &&
    isCount(s.items) &&
    isIdList(s.scoredBy)
  );
}
