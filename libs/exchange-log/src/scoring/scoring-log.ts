import {
  DEFAULT_WEIGHTS,
  PairScore,
  Period,
  RejectionVerdict,
  ScoringRecord,
  scorePair,
  Weights,
} from '@yipanqi/evaluation';
import { Finding, finding } from '../verify/findings';
import { AgreementHistory } from './agreement-history';
import { expandBulks } from './bulk-records';
import { JudgeableRecord, JudgedRejection, judgeRejections } from './rejection-verdicts';

/**
 * The one derivation of scoring inputs from the log (DESIGN §7): node,
 * coordinator and auditor each read the log their way — the node from its
 * outbox and inbox, the others by verifying the inbox topics — and hand the
 * records here; everything from there on is this code.
 */
export interface ScoringLog {
  /** the records with each rejection's verdict */
  records: ScoringRecord[];
  /** agreement texts and states by broker time: SLAs, weights, suspensions */
  history: AgreementHistory;
  /** every rejection, judged, in log order */
  rejections: JudgedRejection[];
}

/**
 * `asOf`: records the broker appended later are not read, so that nothing
 * written after the instant a score is judged at — a late rejection, a late
 * answer — can change what it counts.
 */
export function scoringLog(all: readonly JudgeableRecord[], asOf = Infinity): ScoringLog {
  const records = expandBulks(all).filter((r) => r.brokerTime <= asOf);
  const { history, judged } = judgeRejections(records);
  return {
    records: records.map(({ streamVerdict: _walked, ...r }) => ({
      ...r,
      verdict: judged.get(r.id)?.verdict ?? null,
    })),
    history,
    rejections: [...judged.values()],
  };
}

/**
 * score(evaluator → evaluated): libs/evaluation's scorePair with the SLAs in
 * force when each item opened and the weights given, else the pair's
 * agreement weights at the period's end, else the defaults.
 */
export function scoreFromLog(
  log: ScoringLog,
  pair: { evaluator: string; evaluated: string; period: Period; asOf: number; weights?: Weights },
): PairScore {
  const { evaluator, evaluated, period, asOf } = pair;
  return scorePair({
    evaluator,
    evaluated,
    period,
    asOf,
    records: log.records,
    slaFor: log.history.slaFor,
    weights: pair.weights ?? log.history.weightsFor(evaluator, evaluated, period.end),
  });
}

export type VerdictCounts = Record<RejectionVerdict, number>;

/**
 * Per rejecting node, how many rejections of each verdict it sent of
 * messages sent in `period` (broker time in its inbox; without a period:
 * all), counting only rejections exchanged among `nodes` when given. With a
 * period, rejections of messages this log lacks are left out: they have no
 * period.
 */
export function verdictCounts(
  rejections: readonly JudgedRejection[],
  period?: Period,
  nodes?: readonly string[],
): Record<string, VerdictCounts> {
  const among = nodes && new Set(nodes);
  const counts: Record<string, VerdictCounts> = {};
  for (const code of nodes ?? []) counts[code] = { justified: 0, unjustified: 0, undecidable: 0 };
  for (const r of rejections) {
    if (among && !(among.has(r.by) && among.has(r.of))) continue;
    const at = r.messageBrokerTime;
    if (period && (at === null || at < period.start || at >= period.end)) continue;
    counts[r.by] ??= { justified: 0, unjustified: 0, undecidable: 0 };
    counts[r.by][r.verdict]++;
  }
  return counts;
}

/** The text a pair's score takes its weights from, for a report. */
export interface WeightsSource {
  weights: Weights;
  /** null: no agreement text was in force, the defaults apply */
  agreementId: string | null;
  version: number | null;
}

/** The weights of the pair `a`–`b` at `at` (AgreementHistory.pairTermsAt) and where they come from. */
export function pairWeights(log: ScoringLog, a: string, b: string, at: number): WeightsSource {
  const terms = log.history.pairTermsAt(a, b, at);
  return {
    weights: log.history.weightsFor(a, b, at) ?? DEFAULT_WEIGHTS,
    agreementId: terms?.agreementId ?? null,
    version: terms?.version ?? null,
  };
}

/** An UNJUSTIFIED_REJECTION finding per rejection whose reason does not hold, naming both messages. */
export function unjustifiedRejectionFindings(rejections: readonly JudgedRejection[]): Finding[] {
  return rejections
    .filter((r) => r.verdict === 'unjustified')
    .map((r) =>
      finding(
        'UNJUSTIFIED_REJECTION',
        `${r.by} rejected ${r.messageId} of ${r.of} ${r.reason}, but ${r.why}`,
        { messageIds: [r.rejectionId, r.messageId], stream: `${r.by}→${r.of}` },
      ),
    );
}
