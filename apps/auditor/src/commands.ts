import { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Period } from '@yipanqi/evaluation';
import {
  Finding,
  KafkaSource,
  KafkaSourceOptions,
  LogSource,
  recomputeScores,
  scoringLog,
  unjustifiedRejectionFindings,
  TopicRecord,
  verifyLog,
} from '@yipanqi/exchange-log';
import { ArchiveWriter } from './archive/archive-files';
import { ArchiveManifest } from './archive/archive-format';
import { checkCampaignResults } from './campaigns/campaign-check';
import { AuditReport, buildReport } from './report/audit-report';
import { renderReportHtml } from './report/report-html';

/** Exit codes of the CLI: 0 clean, 2 discrepancies found, 1 the audit could not be done. */
export const EXIT_CLEAN = 0;
export const EXIT_OPERATIONAL_ERROR = 1;
export const EXIT_DISCREPANCIES = 2;

export interface Progress {
  /** a stream to draw the bar on (stderr); nothing is drawn when it is not a terminal */
  stream: NodeJS.WritableStream;
  enabled: boolean;
}

/** Records read / total, on stderr, for replays and exports that take a while. */
function progressBar(progress: Progress, label: string, total: number) {
  if (!progress.enabled || total === 0)
    return { increment: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      stream: progress.stream,
      format: `${label} |{bar}| {value}/{total} records | {percentage}% | eta {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 1000,
      fps: 5,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: () => bar.increment(), stop: () => bar.stop() };
}

export interface ReplayOptions {
  source: LogSource;
  /** recompute every pair's score for this period (DESIGN §7), as of `asOf` */
  period?: Period;
  coordinatorKey: KeyObject;
  reportDir: string;
  /** overwrite a report already in `reportDir` */
  force: boolean;
  /** default: the end of the replayed range, else the cut */
  asOf?: number;
  answerWindowMs: number;
  progress: Progress;
}

export interface ReplayOutcome {
  report: AuditReport;
  reportJson: string;
  reportHtml: string;
  exitCode: typeof EXIT_CLEAN | typeof EXIT_DISCREPANCIES;
}

/** `auditor replay`: reads the log, verifies it, writes report.json and report.html. */
export async function replay(options: ReplayOptions): Promise<ReplayOutcome> {
  const { source } = options;
  const dir = resolve(options.reportDir);
  const reportJson = join(dir, 'report.json');
  const reportHtml = join(dir, 'report.html');
  const plan = await source.open();
  try {
    const asOf = options.asOf ?? plan.to ?? plan.cutAt;
    checkAsOf(asOf, plan.cutAt, options.period);
    // before the replay, which may take an hour, and whose report would replace one a reader has
    const existing = [reportJson, reportHtml].filter((file) => existsSync(file));
    if (existing.length > 0 && !options.force) {
      throw new Error(
        `${dir} already holds a report (${existing.map((f) => basename(f)).join(', ')}): ` +
          'pass --force to overwrite it, or name another --report-dir',
      );
    }
    const bar = progressBar(options.progress, 'replay', plan.inboxRecords);
    const { result: verified, messagesAsOf } = await verifyLog(source, plan, {
      coordinatorKey: options.coordinatorKey,
      asOf,
      answerWindowMs: options.answerWindowMs,
      onInboxRecord: () => bar.increment(),
    }).finally(() => bar.stop());
    const published: TopicRecord[] = [];
    const archiveFindings: Finding[] = [];
    await source.readEvaluation({
      record: (r) => void published.push(r),
      finding: (f) => archiveFindings.push(f),
    });
    const campaigns = checkCampaignResults(published, {
      coordinatorKey: options.coordinatorKey,
      topicPrefix: source.description.topicPrefix,
      plan,
      messagesAsOf,
    });
    // every rejection judged on the log as read, whatever period is scored
    const { rejections } = scoringLog(verified.messages);
    const result = {
      ...verified,
      findings: [
        ...verified.findings,
        ...unjustifiedRejectionFindings(rejections),
        ...archiveFindings,
        ...campaigns.findings,
      ],
    };
    const scores = options.period && recomputeScores(result.messages, options.period, asOf);
    const report = buildReport(
      result,
      scores,
      campaigns.checks,
      {
        source: source.description,
        inboxTopics: plan.inboxTopics,
        from: plan.from,
        to: plan.to,
        cutAt: plan.cutAt,
        asOf,
        answerWindowMs: options.answerWindowMs,
        now: Date.now(),
      },
      rejections,
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(reportJson, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(reportHtml, renderReportHtml(report));
    return {
      report,
      reportJson,
      reportHtml,
      exitCode: report.verdict === 'clean' ? EXIT_CLEAN : EXIT_DISCREPANCIES,
    };
  } finally {
    await source.close();
  }
}

/**
 * Answers and scores are judged as of one instant, which must lie within the
 * log that was read, and a period can only be scored once it has ended.
 */
function checkAsOf(asOf: number, cutAt: number, period: Period | undefined): void {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (asOf > cutAt) {
    throw new Error(
      `as-of ${iso(asOf)} is after the log was cut (${iso(cutAt)}): later records were not read`,
    );
  }
  if (period && !(period.start < period.end)) {
    throw new Error(`period start ${iso(period.start)} is not before its end ${iso(period.end)}`);
  }
  if (period && asOf < period.end) {
    throw new Error(`as-of ${iso(asOf)} is before the period's end ${iso(period.end)}`);
  }
}

export interface ExportOptions extends Omit<KafkaSourceOptions, 'reader'> {
  out: string;
  progress: Progress;
}

/** `auditor export`: the directory topic and the inbox topics, as an archive with a manifest. */
export async function exportArchive(options: ExportOptions): Promise<ArchiveManifest> {
  const writer = ArchiveWriter.create(options.out);
  const source = new KafkaSource({ ...options, reader: 'auditor' });
  const plan = await source.open();
  try {
    for (const range of source.ranges) writer.plan(range);
    const sink = {
      record: (r: TopicRecord) => writer.write(r),
      // the cluster is read as it is: only archives raise findings about themselves
      finding: () => undefined,
    };
    await source.readDirectory(sink);
    const bar = progressBar(options.progress, 'export', plan.inboxRecords);
    try {
      await source.readInboxes({
        ...sink,
        record: (r) => {
          writer.write(r);
          bar.increment();
        },
      });
    } finally {
      bar.stop();
    }
    await source.readEvaluation(sink);
  } finally {
    await source.close();
  }
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return writer.finish({
    topicPrefix: options.topicPrefix,
    cutAt: new Date(plan.cutAt).toISOString(),
    from: iso(plan.from),
    to: iso(plan.to),
  });
}
