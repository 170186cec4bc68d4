import { directoryTopic, evaluationTopic } from '@yipanqi/contracts';
import { inboxOwner } from '@yipanqi/exchange-log';
import { ArchiveManifest } from '../archive/archive-format';
import { AuditReport } from './audit-report';

/**
 * The topics `export` writes and `replay` reads, in the order both print
 * them: one breakdown under the same names, so that the two commands' figures
 * can be set side by side.
 */
export const RECORD_KINDS = ['directory', 'inbox', 'evaluation'] as const;

export type RecordKind = (typeof RECORD_KINDS)[number];

export type RecordCounts = Record<RecordKind, number>;

export function recordKindOf(topicPrefix: string, topic: string): RecordKind | undefined {
  if (topic === directoryTopic(topicPrefix)) return 'directory';
  if (topic === evaluationTopic(topicPrefix)) return 'evaluation';
  return inboxOwner(topicPrefix, topic) === undefined ? undefined : 'inbox';
}

const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

/** "9 records (3 directory, 6 inbox, 0 evaluation)" */
export function describeCounts(counts: RecordCounts): string {
  const total = RECORD_KINDS.reduce((n, kind) => n + counts[kind], 0);
  return `${records(total)} (${RECORD_KINDS.map((kind) => `${counts[kind]} ${kind}`).join(', ')})`;
}

/** What a replay read, from its report's summary. */
export function replayCounts(summary: AuditReport['summary']): RecordCounts {
  return {
    directory: summary.directoryRecords,
    inbox: summary.inboxRecords,
    // every record of the evaluation topic is checked as a campaign result, readable or not
    evaluation: summary.campaignResults,
  };
}

/** What an archive's manifest lists, by kind; `nodes`: only those inboxes (`--nodes`). */
export function manifestCounts(manifest: ArchiveManifest, nodes?: readonly string[]): RecordCounts {
  const counts: RecordCounts = { directory: 0, inbox: 0, evaluation: 0 };
  for (const file of manifest.files) {
    const kind = recordKindOf(manifest.topicPrefix, file.topic);
    if (kind === undefined) continue;
    if (
      kind === 'inbox' &&
      nodes &&
      !nodes.includes(inboxOwner(manifest.topicPrefix, file.topic) ?? '')
    ) {
      continue;
    }
    counts[kind] += file.records;
  }
  return counts;
}

/**
 * Why a replay of an archive read other figures than its manifest lists, in
 * one line; undefined when they agree. Records of inboxes `--nodes` leaves
 * out are not read by design; any other difference is a file that is missing,
 * has lines that are not records, or more or fewer lines than listed — each
 * an ARCHIVE_* finding of the report.
 */
export function archiveDifference(
  read: RecordCounts,
  manifest: ArchiveManifest,
  nodes?: readonly string[],
): string | undefined {
  const listed = manifestCounts(manifest);
  if (RECORD_KINDS.every((kind) => read[kind] === listed[kind])) return undefined;
  const selected = manifestCounts(manifest, nodes);
  const reasons: string[] = [];
  const left = listed.inbox - selected.inbox;
  if (left > 0) reasons.push(`${records(left)} of inboxes outside --nodes not read`);
  const damaged = RECORD_KINDS.filter((kind) => read[kind] !== selected[kind]);
  if (damaged.length > 0) {
    const figures = damaged.map((kind) => `${kind} ${read[kind]} read, ${selected[kind]} listed`);
    reasons.push(`${figures.join(', ')} (see the ARCHIVE_* findings)`);
  }
  return `the archive's manifest lists ${describeCounts(listed)}: ${reasons.join('; ')}`;
}
