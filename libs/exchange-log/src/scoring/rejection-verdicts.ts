import {
  actionOfType,
  flowRefusal,
  isAnswer,
  isMessageType,
  isStreamRejection,
  isValidDto,
  needsAgreement,
  payloadSchema,
  receivedDueDateProblem,
  receivedStepProblem,
  RejectionReason,
  senderRoleProblem,
  TaskStepRef,
} from '@yipanqi/contracts';
import { LogRecord, RejectionVerdict } from '@yipanqi/evaluation';
import { AgreementHistory } from './agreement-history';

/** A log record with what only the stream walk can add (libs/exchange-log VerifiedMessage). */
export type JudgeableRecord = LogRecord & { streamVerdict?: RejectionVerdict };

/** One signed rejection and whether its reason holds on the log (DESIGN §7). */
export interface JudgedRejection {
  rejectionId: string;
  /** the rejected message */
  messageId: string;
  /** the node that rejected (the rejection's sender) */
  by: string;
  /** the node whose message it rejected */
  of: string;
  /** as the rejection states it (a RejectionReason when its payload is valid) */
  reason: string;
  verdict: RejectionVerdict;
  /** broker time of the rejected message in `by`'s inbox; null when this log lacks it */
  messageBrokerTime: number | null;
  /** why, in words: the check that fails, or why the log cannot tell */
  why: string;
}

/** A JWE compact serialization standing in for a `pii` the reader cannot open. */
const SOME_JWE = 'e30.AAAA.AAAA.AAAA.AAAA';

/** Reasons a rule of the log decides completely: when every check passes, they do not hold. */
const DECIDED_BY_THE_LOG: ReadonlySet<string> = new Set<RejectionReason>([
  'UNSUPPORTED_VERSION',
  'NO_AGREEMENT',
  'OUT_OF_SCOPE',
  'AGREEMENT_INACTIVE',
]);

/** Types whose handlers' refusals the log decides (docs/evaluation.md "Rejection verdicts"). */
const DOMAIN_RULES: Record<
  string,
  ((m: LogRecord, log: LogIndex) => string | undefined) | undefined
> = {
  'certificate.verify.requested': verificationRequestProblem,
  'certificate.verify.answered': verificationAnswerProblem,
  'task.requested': taskRequestProblem,
  'task.accepted': taskStepProblem,
  'task.rejected': taskStepProblem,
  'task.progress': taskStepProblem,
  'task.completed': taskStepProblem,
  'task.cancelled': taskStepProblem,
  'evaluation.rated': () => undefined,
};

/**
 * Judges every rejection in `records`:
 *
 * - stream reasons (SEQ_GAP, CHAIN_BROKEN, DUPLICATE, BAD_SIGNATURE,
 *   UNKNOWN_SENDER): the stream walk's verdict when the log was verified
 *   (auditor, coordinator), else undecidable;
 * - every other reason: the node's checks replayed on the rejected message,
 *   in the node's order — catalogue type and version, the readable schema
 *   (`pii` only as to its form), the agreement gate against the agreement as
 *   the rejecting node held it at the message's broker time, the sender's
 *   role, and the thread rules of verifications and tasks. A check that fails
 *   makes the rejection justified whatever reason it gave; when all pass, a
 *   reason the log decides completely does not hold (unjustified), and one
 *   about what only the recipient can see (decryption, the content of
 *   `pii`, a handler's rule the log does not show) is undecidable.
 */
export function judgeRejections(records: readonly JudgeableRecord[]): {
  history: AgreementHistory;
  judged: Map<string, JudgedRejection>;
} {
  const log = new LogIndex(records);
  const judged = new Map<string, JudgedRejection>();
  const rejections = records
    .filter((r) => r.type === 'rejection')
    .map((r) => {
      const messageId = typeof r.payload.messageId === 'string' ? r.payload.messageId : '';
      return { r, messageId, message: log.message(messageId, r.to, r.from) };
    })
    // in the order the recipient decided: when the rejected message reached it
    .sort(
      (x, y) =>
        (x.message?.brokerTime ?? x.r.brokerTime) - (y.message?.brokerTime ?? y.r.brokerTime) ||
        compareIds(x.r.id, y.r.id),
    );
  const judge = (
    { r, messageId, message }: (typeof rejections)[number],
    history: AgreementHistory | undefined,
  ) => {
    const reason = typeof r.payload.reason === 'string' ? r.payload.reason : '';
    const detail = typeof r.payload.detail === 'string' ? r.payload.detail : '';
    const [verdict, why] = verdictOf(r, reason, detail, message, history, log);
    judged.set(r.id, {
      rejectionId: r.id,
      messageId,
      by: r.from,
      of: r.to,
      reason,
      verdict,
      messageBrokerTime: message?.brokerTime ?? null,
      why,
    });
    // what its recipient rightly refused changed nothing there; what it refused without reason did
    if (message && verdict !== 'unjustified') log.void(message);
  };
  // agreement traffic first: its verdicts need no agreement history, the history needs them
  const isAgreementTraffic = (x: (typeof rejections)[number]) =>
    x.message?.type.startsWith('agreement.') === true;
  for (const x of rejections.filter(isAgreementTraffic)) judge(x, undefined);
  const voided = new Set(
    rejections
      .filter((x) => isAgreementTraffic(x) && judged.get(x.r.id)?.verdict !== 'unjustified')
      .map((x) => `${x.r.from}>${x.messageId}`),
  );
  const history = new AgreementHistory(records, voided);
  for (const x of rejections.filter((y) => !isAgreementTraffic(y))) judge(x, history);
  return { history, judged };
}

function verdictOf(
  r: JudgeableRecord,
  reason: string,
  detail: string,
  message: LogRecord | undefined,
  history: AgreementHistory | undefined,
  log: LogIndex,
): [RejectionVerdict, string] {
  if (isStreamRejection(reason)) {
    return r.streamVerdict
      ? [
          r.streamVerdict,
          `the stream rule on this log ${r.streamVerdict === 'justified' ? 'refuses' : 'takes'} it`,
        ]
      : ['undecidable', 'only the recipient’s inbox log shows its stream position'];
  }
  if (!message) return ['undecidable', `${String(r.payload.messageId)} is not in the log read`];
  const problem = checkProblem(message, r.from, history, log);
  if (problem) return ['justified', problem];
  return openVerdict(message, reason, detail);
}

/** What the log shows wrong with `m` as `judge` received it, or undefined. */
function checkProblem(
  m: LogRecord,
  judge: string,
  history: AgreementHistory | undefined,
  log: LogIndex,
): string | undefined {
  if (!isMessageType(m.type)) return `unknown message type ${m.type}`;
  const schema = payloadSchema(m.type, m.v);
  if (!schema) return `${m.type} v${m.v} is not in the catalogue`;
  const problems: string[] = [];
  const readable = m.piiForm === 'none' ? m.payload : { ...m.payload, pii: piiStandIn(m) };
  if (!isValidDto(schema.payload, readable, problems)) return problems.join('; ');
  if (history && needsAgreement(m.type)) {
    const state = history.stateFor(m.agreementId, judge, m.brokerTime);
    const refusal = flowRefusal(state, m, m.brokerTime);
    if (refusal) return `${refusal.reason}: ${refusal.detail}`;
    const role = state && senderRoleProblem(state.terms, m.from, m.type);
    if (role) return `OUT_OF_SCOPE: ${role}`;
  }
  return DOMAIN_RULES[m.type]?.(m, log);
}

function piiStandIn(m: LogRecord): string {
  return m.piiForm === 'jwe' ? SOME_JWE : 'not a JWE';
}

/** The verdict on a reason when every check the log allows passes. */
function openVerdict(m: LogRecord, reason: string, detail: string): [RejectionVerdict, string] {
  const hasPii = isMessageType(m.type) && payloadSchema(m.type, m.v)?.pii !== undefined;
  if (m.type.startsWith('agreement.') && reason !== 'UNSUPPORTED_VERSION') {
    return ['undecidable', 'the recipient’s agreement checks are not all in the log'];
  }
  if (DECIDED_BY_THE_LOG.has(reason)) return ['unjustified', 'every check of the log passes'];
  if (reason === 'DECRYPT_FAILED') {
    return hasPii
      ? ['undecidable', 'only the recipient’s key opens pii']
      : ['unjustified', `${m.type} carries nothing encrypted`];
  }
  if (reason === 'SCHEMA_INVALID') {
    // the node names a problem inside pii `pii.<field>`, and the size limit counts pii too
    if (hasPii && (detail.startsWith('pii.') || detail.startsWith('payload is '))) {
      return ['undecidable', 'it names a problem with pii, which only the recipient can read'];
    }
    if (DOMAIN_RULES[m.type]) return ['unjustified', 'the schema and the thread rules hold'];
    return ['undecidable', `the recipient’s rules for ${m.type} are not all in the log`];
  }
  return ['undecidable', `reason ${reason} is not one a reader can check`];
}

// ── the thread rules a handler refuses by ─────────────────────────────────────

function verificationRequestProblem(m: LogRecord, log: LogIndex): string | undefined {
  const id = m.payload.verificationId;
  if (m.correlationId !== id) return 'correlationId must be the verification id';
  const earlier = log.thread(m).find((x) => x.type === m.type && x !== m && log.before(x, m));
  return earlier ? `verification ${String(id)} is already known` : undefined;
}

function verificationAnswerProblem(m: LogRecord, log: LogIndex): string | undefined {
  const id = m.payload.verificationId;
  if (m.correlationId !== id) return 'correlationId must be the verification id';
  const thread = log.thread(m).filter((x) => log.before(x, m));
  const request = thread.find(
    (x) => x.type === 'certificate.verify.requested' && x.from === m.to && x.to === m.from,
  );
  if (!request) return `no verification ${String(id)} was requested of ${m.from}`;
  if (thread.some((x) => x.type === m.type && x.from === m.from && x !== m)) {
    return `verification ${String(id)} is already answered`;
  }
  return m.causationId === request.id
    ? undefined
    : 'causationId must be the envelope id of the request';
}

function taskRequestProblem(m: LogRecord, log: LogIndex): string | undefined {
  if (!m.correlationId) return 'task.requested carries the task id as correlationId';
  if (log.thread(m).some((x) => x.type === 'task.requested' && x !== m && log.before(x, m))) {
    return `task ${m.correlationId} already exists`;
  }
  return typeof m.payload.dueAt === 'string'
    ? receivedDueDateProblem(m.payload.dueAt, m.brokerTime)
    : undefined;
}

function taskStepProblem(m: LogRecord, log: LogIndex): string | undefined {
  const thread = log.thread(m).filter((x) => x === m || log.before(x, m));
  const request = thread.find(
    (x) =>
      x.type === 'task.requested' &&
      ((x.from === m.from && x.to === m.to) || (x.from === m.to && x.to === m.from)),
  );
  if (!request) return `${m.type} for a task ${m.to} does not have with ${m.from}`;
  if (m.causationId !== request.id) return `causationId must be the task's request ${request.id}`;
  if (m.agreementId !== request.agreementId) {
    return `task ${String(m.correlationId)} travels under agreement ${String(request.agreementId)}`;
  }
  const steps: TaskStepRef[] = thread.flatMap((x) => {
    const action = actionOfType(x.type);
    return action && x !== m ? [{ messageId: x.id, action }] : [];
  });
  const action = actionOfType(m.type);
  if (!action) return undefined;
  return receivedStepProblem(
    steps,
    { messageId: m.id, action },
    request.from === m.from ? 'requester' : 'performer',
  );
}

/**
 * The log as the thread rules read it: messages by id, and per pair and
 * thread the messages in broker-time order, less those their recipient
 * rightly refused so far (`void`, called as the rejections are judged in
 * the order they were made).
 */
class LogIndex {
  private readonly byId = new Map<string, LogRecord>();
  private readonly threads = new Map<string, LogRecord[]>();
  private readonly order = new Map<LogRecord, number>();
  private readonly voided = new Set<LogRecord>();

  constructor(records: readonly LogRecord[]) {
    const sorted = [...records].sort(
      (x, y) => x.brokerTime - y.brokerTime || compareIds(x.id, y.id),
    );
    sorted.forEach((r, i) => this.order.set(r, i));
    for (const r of sorted) {
      if (isAnswer(r.type)) continue;
      if (!this.byId.has(r.id)) this.byId.set(r.id, r);
      if (!r.correlationId) continue;
      const key = threadKey(r);
      const list = this.threads.get(key);
      if (list) list.push(r);
      else this.threads.set(key, [r]);
    }
  }

  message(id: string, from: string, to: string): LogRecord | undefined {
    const m = this.byId.get(id);
    return m && m.from === from && m.to === to ? m : undefined;
  }

  void(m: LogRecord): void {
    this.voided.add(m);
  }

  /** The applied messages of `m`'s thread between its two nodes, and `m` itself wherever it stands. */
  thread(m: LogRecord): LogRecord[] {
    const list = (m.correlationId && this.threads.get(threadKey(m))) || [];
    const applied = list.filter((x) => x === m || !this.voided.has(x));
    return applied.includes(m)
      ? applied
      : [...applied, m].sort((x, y) => this.rank(x) - this.rank(y));
  }

  before(x: LogRecord, y: LogRecord): boolean {
    return this.rank(x) < this.rank(y);
  }

  private rank(r: LogRecord): number {
    return this.order.get(r) ?? Infinity;
  }
}

/** A thread is its correlationId between two nodes: another pair's same id is another thread. */
function threadKey(r: LogRecord): string {
  const pair = r.from < r.to ? `${r.from}|${r.to}` : `${r.to}|${r.from}`;
  return `${pair}|${r.correlationId ?? r.id}`;
}

function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
