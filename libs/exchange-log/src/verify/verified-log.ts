import { KeyObject } from 'node:crypto';
import { LogPlan, LogSource } from '../log/log-source';
import { TopicRecord } from '../log/topic-record';
import { AuditDirectory } from './audit-directory';
import { LogVerifier, PreparedRecord, VerificationResult, VerifiedMessage } from './log-verifier';

/**
 * Records whose signatures are checked at once: enough to keep libuv's
 * threadpool busy on every core, few enough that memory does not grow with
 * the log while it is read (the source waits when the window is full).
 */
const IN_FLIGHT = 256;

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
  const checks = new OrderedChecks(verifier, () => options.onInboxRecord?.());
  await source.readInboxes({ record: (r) => checks.push(r), finding });
  await checks.drain();
  const result = verifier.finish({
    rangeStart: plan.from,
    asOf: options.asOf,
    answerWindowMs: options.answerWindowMs,
  });
  return { result, messagesAsOf: (cut) => verifier.messagesAsOf(cut) };
}

interface Pending {
  record: TopicRecord;
  prepared: PreparedRecord;
  ready: boolean;
}

/**
 * Pass 1 with the signatures checked in parallel, the records still judged
 * one by one in log order: each record is prepared (parsed, hashed, its
 * signature check started on the threadpool) as it is read, and enters the
 * verifier once it and every record before it are checked. The verifier sees
 * exactly the sequence the source read, so findings, their order and the
 * report are those of a one-by-one replay.
 */
class OrderedChecks {
  private readonly queue: Pending[] = [];
  private head = 0;
  private failure: Error | undefined;
  private waiting: {
    until: () => boolean;
    resolve: () => void;
    reject: (e: Error) => void;
  } | null = null;

  constructor(
    private readonly verifier: LogVerifier,
    private readonly entered: () => void,
  ) {}

  /** Takes the next record; a promise when the window is full, to be awaited before the next. */
  push(record: TopicRecord): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const { prepared, signature } = this.verifier.prepareInboxRecord(record);
    const pending: Pending = { record, prepared, ready: signature === undefined };
    this.queue.push(pending);
    if (signature) {
      signature.then(
        () => {
          pending.ready = true;
          this.flush();
        },
        (err: Error) => this.fail(err),
      );
    } else {
      this.flush();
    }
    if (this.queue.length - this.head < IN_FLIGHT) return undefined;
    return this.wait(() => this.queue.length - this.head < IN_FLIGHT / 2);
  }

  /** Resolves once every record taken has entered the verifier. */
  drain(): Promise<void> {
    return this.wait(() => this.head === this.queue.length);
  }

  private flush(): void {
    try {
      while (this.head < this.queue.length && this.queue[this.head].ready) {
        const { record, prepared } = this.queue[this.head++];
        this.verifier.addInboxRecord(record, prepared);
        this.entered();
      }
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    // drop what has entered now and then, not per record: shifting an array is linear
    if (this.head > 4 * IN_FLIGHT) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.waiting?.until()) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve();
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.head = this.queue.length;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
  }

  private wait(until: () => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (until()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting = { until, resolve, reject };
    });
  }
}
