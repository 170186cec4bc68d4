import { KeyObject } from 'node:crypto';
import { isNodeCode } from '@yipanqi/contracts';
import { hasValidRecordSignature, signRecord } from '@yipanqi/crypto';
import {
  IndicatorCode,
  INDICATORS,
  PairScore,
  Period,
  Standing,
  Weights,
} from '@yipanqi/evaluation';
import { CampaignComputation, CampaignParameters } from '../rebuild/campaign-scores';
import { VerdictCounts } from '../scoring/scoring-log';
import { EVIDENCE_DIGEST, evidenceDigest } from './evidence-digest';

export const CAMPAIGN_RESULT_FORMAT = 'yipanqi.campaign-result';

/**
 * One indicator of a published pair score: its figures and the digest of the
 * message ids behind them (evidenceDigest), which the coordinator serves on
 * request. A tuple, not an object: a national campaign has some 15,000 of
 * them, and their field names alone would outweigh the figures.
 */
export type PublishedIndicator = [
  weight: number,
  items: number,
  numerator: number,
  denominator: number,
  pending: number,
  digest: string,
];

/** The indicators of a published pair score, in the order of INDICATORS. */
export type PublishedIndicators = [
  R: PublishedIndicator,
  V: PublishedIndicator,
  T: PublishedIndicator,
  Q: PublishedIndicator,
  S: PublishedIndicator,
];

/**
 * A PairScore as a result publishes it: the figures, and a digest in place
 * of each indicator's ids. Period and as-of are the result's; the pair's
 * items are the sum of its indicators'.
 */
export interface PublishedPairScore {
  evaluator: string;
  evaluated: string;
  score: number | 'n/a';
  indicators: PublishedIndicators;
}

/** One indicator of a published pair score by its code. */
export function publishedIndicator(
  pair: PublishedPairScore,
  code: IndicatorCode,
): PublishedIndicator {
  return pair.indicators[INDICATORS.indexOf(code)];
}

/**
 * One computation of a campaign as the coordinator publishes it on
 * `<prefix>.evaluation` (record key = campaignId): the parameters it was
 * scored with — enough for anyone to score the log again — and every figure.
 */
export interface UnsignedCampaignResult {
  format: typeof CAMPAIGN_RESULT_FORMAT;
  version: 2;
  /** UUIDv7 of this computation; a campaign may be computed again later (another asOf) */
  resultId: string;
  campaignId: string;
  name: string;
  /** epoch ms, `[start, end)`; every pair score is of this period */
  period: Period;
  /** epoch ms: nothing the broker appended later was counted */
  asOf: number;
  /** node codes in ascending order */
  participants: string[];
  /** the campaign's weights for every pair; null: each pair's agreement weights, else the defaults */
  weights: Weights | null;
  /**
   * the ordered pairs of participants with any message behind their figures,
   * in the order they were scored; every pair left out is 'n/a' with nothing
   * counted and nothing pending
   */
  pairs: PublishedPairScore[];
  ranking: Standing[];
  /**
   * per participant, the rejections it sent of fellow participants' messages
   * sent in the period, by verdict (DESIGN §7: rejections are evidence)
   */
  rejections: Record<string, VerdictCounts>;
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
  scores: CampaignComputation,
): UnsignedCampaignResult {
  return {
    format: CAMPAIGN_RESULT_FORMAT,
    version: 2,
    resultId: about.resultId,
    campaignId: about.campaignId,
    name: about.name,
    period: { start: parameters.period.start, end: parameters.period.end },
    asOf: parameters.asOf,
    participants: [...parameters.participants],
    weights: parameters.weights,
    pairs: publishedPairs(scores.pairs),
    ranking: scores.ranking,
    rejections: scores.rejections,
    computedAt: about.computedAt,
  };
}

/** A pair score as published: each indicator's ids replaced by their digest. */
export function publishedPair(score: PairScore): PublishedPairScore {
  const indicator = (code: IndicatorCode): PublishedIndicator => {
    const i = score.indicators[code];
    return [i.weight, i.items, i.numerator, i.denominator, i.pendingIds.length, evidenceDigest(i)];
  };
  return {
    evaluator: score.evaluator,
    evaluated: score.evaluated,
    score: score.score,
    indicators: [indicator('R'), indicator('V'), indicator('T'), indicator('Q'), indicator('S')],
  };
}

/** Whether any message is behind a pair score; without one it is 'n/a' with nothing pending. */
export function hasEvidence(score: PairScore): boolean {
  return INDICATORS.some((code) => {
    const i = score.indicators[code];
    return i.denominatorIds.length + i.numeratorIds.length + i.pendingIds.length > 0;
  });
}

/**
 * The pair scores a result publishes: those with any message behind them.
 * Of 300 participants with about ten partners each, some 3,000 of the 89,700
 * ordered pairs are; the others would be the bulk of the record and say
 * nothing but 'n/a'.
 */
export function publishedPairs(scores: readonly PairScore[]): PublishedPairScore[] {
  return scores.filter(hasEvidence).map(publishedPair);
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
  'rejections',
  'computedAt',
  'sig',
];

const isEpochMs = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isWeight = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isScore = (v: unknown) => v === 'n/a' || (typeof v === 'number' && Number.isFinite(v));
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isIdList = (v: unknown) => Array.isArray(v) && v.every((id) => typeof id === 'string');
/** `n/d` in lowest terms as ratioText writes it; lowest terms are the comparison's business */
const isFraction = (v: unknown) => typeof v === 'string' && /^(0|[1-9]\d*)\/[1-9]\d*$/.test(v);
const hasFields = (v: Record<string, unknown>, fields: readonly string[]) => {
  const keys = Object.keys(v);
  return keys.length === fields.length && keys.every((k) => fields.includes(k));
};

/**
 * What keeps a signed record from being read as a result, or undefined. Only
 * what the comparison reads is checked: a figure with a wrong value is the
 * comparison's business, a figure that is missing is this one's.
 */
function resultProblem(r: Record<string, unknown>): string | undefined {
  const extra = Object.keys(r).filter((k) => !FIELDS.includes(k));
  if (extra.length > 0) return `unknown fields: ${extra.join(', ')}`;
  if (r.format !== CAMPAIGN_RESULT_FORMAT || r.version !== 2) return 'not a campaign result v2';
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
  if (!Array.isArray(r.pairs)) return 'pairs is not a list';
  const badPair = r.pairs.findIndex((p) => !isPublishedPair(p));
  if (badPair >= 0) return `pair score ${badPair} is malformed`;
  if (!Array.isArray(r.ranking)) return 'ranking is not a list';
  const badStanding = r.ranking.findIndex((s) => !isStanding(s));
  if (badStanding >= 0) return `standing ${badStanding} is malformed`;
  const participants = r.participants;
  if (
    !isObject(r.rejections) ||
    !hasFields(r.rejections, participants) ||
    !Object.values(r.rejections).every(isVerdictCounts)
  ) {
    return 'rejections are not verdict counts for each participant';
  }
  return undefined;
}

const VERDICTS = ['justified', 'unjustified', 'undecidable'];

function isVerdictCounts(v: unknown): boolean {
  return isObject(v) && hasFields(v, VERDICTS) && VERDICTS.every((k) => isCount(v[k]));
}

const PAIR_FIELDS = ['evaluator', 'evaluated', 'score', 'indicators'];

function isPublishedIndicator(i: unknown): boolean {
  if (!Array.isArray(i) || i.length !== 6) return false;
  const [weight, items, numerator, denominator, pending, digest] = i as unknown[];
  return (
    isWeight(weight) &&
    [items, numerator, denominator, pending].every(isCount) &&
    typeof digest === 'string' &&
    EVIDENCE_DIGEST.test(digest)
  );
}

function isPublishedPair(p: unknown): boolean {
  return (
    isObject(p) &&
    hasFields(p, PAIR_FIELDS) &&
    isNodeCode(p.evaluator) &&
    isNodeCode(p.evaluated) &&
    isScore(p.score) &&
    Array.isArray(p.indicators) &&
    p.indicators.length === INDICATORS.length &&
    p.indicators.every(isPublishedIndicator)
  );
}

const STANDING_FIELDS = ['node', 'rank', 'score', 'exactScore', 'items', 'scoredBy'];

function isStanding(s: unknown): boolean {
  return (
    isObject(s) &&
    hasFields(s, STANDING_FIELDS) &&
    isNodeCode(s.node) &&
    isCount(s.rank) &&
    isScore(s.score) &&
    (s.exactScore === null || isFraction(s.exactScore)) &&
    isCount(s.items) &&
    isIdList(s.scoredBy)
  );
}
