import { PairScore } from '@yipanqi/evaluation';
import {
  AwaitingAnswer,
  FINDING_KINDS,
  FindingKind,
  JudgedRejection,
  ScoreRecomputation,
  SourceDescription,
  StreamSummary,
  VerdictCounts,
  verdictCounts,
  VerificationResult,
} from '@yipanqi/exchange-log';
import { CampaignCheck } from '../campaigns/campaign-check';

export const REPORT_FORMAT = 'yipanqi-audit-report';

/** One finding as report.json lists it: flat, so that it reads well in jq and spreadsheets. */
export interface ReportFinding {
  kind: FindingKind;
  messageIds: string[];
  stream: string | null;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  file: string | null;
  detail: string;
}

/** report.json (DESIGN §8): the machine-readable result of one replay. */
export interface AuditReport {
  format: typeof REPORT_FORMAT;
  version: 1;
  generatedAt: string;
  /** clean: no finding; awaiting answers do not count */
  verdict: 'clean' | 'discrepancies';
  source: SourceDescription & { inboxTopics: string[] };
  /** which log was judged: its broker-time range, the cut, and the instant answers are judged at */
  log: {
    from: string | null;
    to: string | null;
    cutAt: string;
    asOf: string;
    answerWindowHours: number;
  };
  summary: VerificationResult['counts'] & {
    streams: number;
    campaignResults: number;
    findings: number;
    awaitingAnswers: number;
    findingsByKind: Partial<Record<FindingKind, number>>;
  };
  findings: ReportFinding[];
  streams: (StreamSummary & {
    firstBrokerTimeIso: string | null;
    lastBrokerTimeIso: string | null;
  })[];
  awaitingAnswers: (AwaitingAnswer & { brokerTimeIso: string })[];
  /**
   * every pair's score recomputed from the verified log (`--period`), with the
   * message ids behind each figure; null when no period was asked for
   */
  scores: {
    period: { start: string; end: string };
    asOf: string;
    pairs: PairScore[];
    /** per rejecting node, its rejections of messages sent in the period, by verdict */
    rejections: Record<string, VerdictCounts>;
  } | null;
  /**
   * every signed rejection in the log judged (DESIGN §7): per rejecting node
   * how many of each verdict, and each with its verdict and why; the
   * unjustified ones are also UNJUSTIFIED_REJECTION findings
   */
  rejections: {
    byNode: Record<string, VerdictCounts>;
    judged: JudgedRejection[];
  };
  /**
   * every campaign result on the evaluation topic: its verdict, each figure
   * that differs (with at most 100 of the recomputed ids behind it), and the
   * campaign as recomputed from this log, in the published form (digests)
   */
  campaigns: CampaignCheck[];
  /** what a finding kind means, for readers of the JSON without the docs */
  findingKinds: Partial<Record<FindingKind, string>>;
}

export interface ReportContext {
  source: SourceDescription;
  inboxTopics: string[];
  from: number | null;
  to: number | null;
  cutAt: number;
  asOf: number;
  answerWindowMs: number;
  now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function buildReport(
  result: VerificationResult,
  scores: ScoreRecomputation | undefined,
  campaigns: CampaignCheck[],
  context: ReportContext,
  rejections: readonly JudgedRejection[] = [],
): AuditReport {
  const byKind: Partial<Record<FindingKind, number>> = {};
  for (const f of result.findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const kinds = Object.keys(byKind) as FindingKind[];
  return {
    format: REPORT_FORMAT,
    version: 1,
    generatedAt: iso(context.now),
    verdict: result.findings.length === 0 ? 'clean' : 'discrepancies',
    source: { ...context.source, inboxTopics: context.inboxTopics },
    log: {
      from: isoOrNull(context.from),
      to: isoOrNull(context.to),
      cutAt: iso(context.cutAt),
      asOf: iso(context.asOf),
      answerWindowHours: context.answerWindowMs / 3600_000,
    },
    summary: {
      ...result.counts,
      streams: result.streams.length,
      campaignResults: campaigns.length,
      findings: result.findings.length,
      awaitingAnswers: result.awaiting.length,
      findingsByKind: byKind,
    },
    findings: result.findings.map((f) => ({
      kind: f.kind,
      messageIds: f.messageIds,
      stream: f.stream,
      topic: f.location?.topic ?? null,
      partition: f.location?.partition ?? null,
      offset: f.location?.offset ?? null,
      file: f.file,
      detail: f.detail,
    })),
    streams: result.streams.map((s) => ({
      ...s,
      firstBrokerTimeIso: isoOrNull(s.firstBrokerTime),
      lastBrokerTimeIso: isoOrNull(s.lastBrokerTime),
    })),
    awaitingAnswers: result.awaiting.map((a) => ({ ...a, brokerTimeIso: iso(a.brokerTime) })),
    scores: scores
      ? {
          period: { start: iso(scores.period.start), end: iso(scores.period.end) },
          asOf: iso(scores.asOf),
          pairs: scores.pairs,
          rejections: scores.verdicts,
        }
      : null,
    rejections: { byNode: verdictCounts(rejections), judged: [...rejections] },
    campaigns,
    findingKinds: Object.fromEntries(kinds.map((k) => [k, FINDING_KINDS[k]])),
  };
}
