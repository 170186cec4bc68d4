import { KeyObject } from 'node:crypto';
import { inboxTopic } from '@yipanqi/contracts';
import {
  CampaignResult,
  CampaignSignatureError,
  Finding,
  finding,
  FindingKind,
  locationOf,
  LogPlan,
  parametersOf,
  readCampaignResult,
  RecordLocation,
  recomputeCampaign,
  TopicRecord,
  VerifiedMessage,
} from '@yipanqi/exchange-log';
import {
  CampaignDifference,
  compareCampaignFigures,
  PublishedFigures,
  recomputedCampaign,
} from './campaign-comparison';

/**
 * What became of one published result: `agrees` and `differs` were
 * recomputed; `not-checkable` means this replay lacks part of the log the
 * result rests on (see `detail`), which is no finding.
 */
export type CampaignCheckStatus =
  'agrees' | 'differs' | 'bad-signature' | 'invalid' | 'not-checkable';

export interface CampaignCheck {
  campaignId: string | null;
  resultId: string | null;
  name: string | null;
  location: RecordLocation;
  status: CampaignCheckStatus;
  detail: string | null;
  differences: CampaignDifference[];
  /**
   * the campaign scored again from this replay's log with the published
   * parameters, in the published form (digests, not ids): it compares with
   * the result as it stands, and stays small for a national campaign
   */
  recomputed: PublishedFigures | null;
}

export interface CampaignCheckContext {
  coordinatorKey: KeyObject;
  topicPrefix: string;
  plan: LogPlan;
  /** the messages that entered their streams in this replay, on the log as it stood at `cut` */
  messagesAsOf: (cut: number) => readonly VerifiedMessage[];
}

/**
 * Checks every result on the evaluation topic (DESIGN §8): signed by the
 * coordinator, and every figure what libs/evaluation gives on this log with
 * the parameters the result names. Each differing figure is one
 * CAMPAIGN_RESULT_MISMATCH finding naming the campaign, the pair or node, the
 * figure, both values and (the first 100 of) the message ids behind it in
 * the recomputation.
 */
export function checkCampaignResults(
  records: readonly TopicRecord[],
  context: CampaignCheckContext,
): { checks: CampaignCheck[]; findings: Finding[] } {
  const checks: CampaignCheck[] = [];
  const findings: Finding[] = [];
  for (const record of records) {
    const location = locationOf(record);
    const report = (kind: FindingKind, detail: string, messageIds: string[] = []) =>
      findings.push(finding(kind, detail, { messageIds, location }));
    const check: CampaignCheck = {
      campaignId: record.key?.toString('utf8') ?? null,
      resultId: null,
      name: null,
      location,
      status: 'invalid',
      detail: null,
      differences: [],
      recomputed: null,
    };
    checks.push(check);
    let result: CampaignResult;
    try {
      if (record.value === null) throw new Error('a tombstone: results are never deleted');
      result = readCampaignResult(
        JSON.parse(record.value.toString('utf8')),
        context.coordinatorKey,
      );
      if (result.campaignId !== check.campaignId) {
        throw new Error(`record key ${check.campaignId} is not campaign ${result.campaignId}`);
      }
    } catch (err) {
      const bad = err instanceof CampaignSignatureError;
      check.status = bad ? 'bad-signature' : 'invalid';
      check.detail = (err as Error).message;
      report(
        bad ? 'CAMPAIGN_RESULT_SIGNATURE' : 'CAMPAIGN_RESULT_INVALID',
        `campaign ${check.campaignId ?? '(no key)'}: ${check.detail}`,
      );
      continue;
    }
    Object.assign(check, { resultId: result.resultId, name: result.name });
    const missing = missingLog(result, context);
    if (missing) {
      Object.assign(check, { status: 'not-checkable', detail: missing });
      continue;
    }
    const parameters = parametersOf(result);
    const recomputed = recomputedCampaign(
      recomputeCampaign(context.messagesAsOf(parameters.asOf), parameters),
    );
    check.recomputed = recomputed.published;
    check.differences = compareCampaignFigures(result, recomputed);
    check.status = check.differences.length === 0 ? 'agrees' : 'differs';
    for (const d of check.differences) {
      const listed =
        d.messageIds.length < d.messageIdCount
          ? ` (${d.messageIds.length} of its ${d.messageIdCount} message ids listed)`
          : '';
      report(
        'CAMPAIGN_RESULT_MISMATCH',
        `campaign ${result.campaignId} (${result.name}), result ${result.resultId}: ` +
          `${d.subject} ${d.figure} is ${JSON.stringify(d.published)} as published, ` +
          `${JSON.stringify(d.recomputed)} recomputed from the log${listed}`,
        d.messageIds,
      );
    }
  }
  return { checks, findings };
}

/** Why this replay cannot judge `result`, or undefined when it holds all the log it rests on. */
function missingLog(result: CampaignResult, context: CampaignCheckContext): string | undefined {
  const { plan, topicPrefix } = context;
  const iso = (ms: number) => new Date(ms).toISOString();
  if (plan.from !== null) {
    return `a time-range replay (from ${iso(plan.from)}) may lack the agreements and messages it counts`;
  }
  const end = plan.to ?? plan.cutAt;
  if (result.asOf > end)
    return `its as-of ${iso(result.asOf)} is after the replayed log ends (${iso(end)})`;
  const unread = result.participants.filter(
    (code) => plan.nodes !== null && !plan.nodes.includes(code),
  );
  if (unread.length > 0) {
    return `the inboxes of ${unread.join(', ')} were not replayed (${inboxTopic(unread[0], topicPrefix)})`;
  }
  return undefined;
}
