import { KeyObject } from 'node:crypto';
import { LogPlan, LogSource } from '../log/log-source';
import { AuditDirectory } from './audit-directory';
import { LogVerifier, VerificationResult, VerifiedMessage } from './log-verifier';

export interface VerifiedLogOptions {
  /** the coordinator's Ed25519 public key: only directory entries it signed are trusted */
  coordinatorKey: KeyObject;
  /** the instant answers are judged at (see VerificationOptions) */
  asOf: number;
  answerWindowMs: number;
  /** called after each inbox record, e.g. to draw progress */
  onInboxRecord?: () => void;
}

export interface VerifiedLog {
  result: VerificationResult;
  /**
   * What entered the streams on the log as it stood at broker time `cut`
   * (LogVerifier.messagesAsOf): a campaign is scored from this with its
   * as-of, so a log that grew afterwards gives the same figures.
   */
  readonly messagesAsOf: (cut: number) => VerifiedMessage[];
}

/**
 * The one way from the exchange log to verified messages, for the auditor
 * and the coordinator alike: the directory topic of an opened source is read
 * whole, then its inboxes, each record checked by LogVerifier. Only messages
 * that entered their stream come out in `messages` (libs/evaluation's
 * LogRecord), so whoever scores them scores the same log.
 */
export async function verifyLog(
  source: LogSource,
  plan: LogPlan,
  options: VerifiedLogOptions,
): Promise<VerifiedLog> {
  const directory = new AuditDirectory(options.coordinatorKey);
  const verifier = new LogVerifier(directory, source.description.topicPrefix);
  for (const f of plan.findings) verifier.sourceFinding(f);
  const finding = verifier.sourceFinding.bind(verifier);
  await source.readDirectory({ record: (r) => directory.add(r), finding });
  await source.readInboxes({
    record: (r) => {
      verifier.addInboxRecord(r);
      options.onInboxRecord?.();
    },
    finding,
  });
  const result = verifier.finish({
    rangeStart: plan.from,
    asOf: options.asOf,
    answerWindowMs: options.answerWindowMs,
  });
  return { result, messagesAsOf: (cut) => verifier.messagesAsOf(cut) };
}
