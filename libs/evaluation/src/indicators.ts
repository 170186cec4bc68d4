import {
  EVALUATION_CRITERIA,
  EvaluationRatedPayloadV1,
  isValidDto,
  PayloadOf,
  utcInstantMs,
} from '@yipanqi/contracts';
import { Period, ScoringRecord as LogRecord } from './log-record';
import { PairLog } from './pair-log';
import { Sla } from './terms';

const HOUR_MS = 3_600_000;

/** What one indicator counted, with the message ids behind its figures. */
export interface Count {
  /** counted items: R V T decided, Q answered, S 1 when a rating counts */
  items: number;
  /**
   * x = numerator / denominator exactly. R V T: on time / decided; Q:
   * receipted / answered; S: Σ(criterion − 1) / (4 × number of criteria).
   */
  numerator: number;
  denominator: number;
  /** the opening messages behind the numerator (S: the rating) */
  numeratorIds: string[];
  /** the opening messages behind the denominator (S: the rating) */
  denominatorIds: string[];
  /** items of the period still undecided at as-of (Q: not yet answered by A), left out */
  pendingIds: string[];
}

/** The pair as evaluator A sees partner B. */
export interface PairView {
  log: PairLog;
  evaluator: string;
  evaluated: string;
  period: Period;
  /** the SLA that applies to an item, from its opening message */
  sla: (opening: LogRecord) => Sla;
}

interface TimedItem {
  /** the opening message */
  id: string;
  deadline: number;
  /** the answer that decides the item; `fulfils` is false for a refusal such as task.rejected */
  answer?: { at: number; fulfils: boolean };
}

function sentIn(period: Period, m: LogRecord): boolean {
  return m.brokerTime >= period.start && m.brokerTime < period.end;
}

/** Every answer in the log arrived at or before as-of (PairLog drops later records). */
function countTimeliness(items: readonly TimedItem[], asOf: number): Count {
  const numeratorIds: string[] = [];
  const denominatorIds: string[] = [];
  const pendingIds: string[] = [];
  for (const item of items) {
    if (item.answer) {
      denominatorIds.push(item.id);
      if (item.answer.fulfils && item.answer.at <= item.deadline) numeratorIds.push(item.id);
    } else if (item.deadline <= asOf) {
      denominatorIds.push(item.id);
    } else {
      pendingIds.push(item.id);
    }
  }
  return {
    items: denominatorIds.length,
    numerator: numeratorIds.length,
    denominator: denominatorIds.length,
    numeratorIds,
    denominatorIds,
    pendingIds,
  };
}

function answered(answer: LogRecord | undefined, fulfils = true): TimedItem['answer'] {
  return answer && { at: answer.brokerTime, fulfils };
}

/**
 * A→B requests of `type` sent in the period that open their thread. A second
 * request in the same thread opens nothing new, and a request B refused is
 * no part of any thread: it never reached B's books.
 */
function openingRequests(view: PairView, type: string): LogRecord[] {
  const { log, evaluator, period } = view;
  return log.messages.filter(
    (m) =>
      m.type === type &&
      m.from === evaluator &&
      sentIn(period, m) &&
      log.firstInThread(m, [type], evaluator) === m,
  );
}

/**
 * B's unjustified rejection of A's message decides the item as not on time
 * (DESIGN §7): rejecting must never do B better than answering late.
 */
function unjustifiedRefusal(view: PairView, m: LogRecord): TimedItem['answer'] {
  const rejection = view.log.rejectedUnjustifiably(m);
  return rejection && { at: rejection.brokerTime, fulfils: false };
}

/**
 * R: B's receipt of each A→B message within the receipt SLA. A message B
 * rejected is left out when the rejection holds or cannot be decided, and
 * decided as not on time when it does not hold.
 */
export function receiptTimeliness(view: PairView): Count {
  const items = view.log.messages
    .filter((m) => m.from === view.evaluator && sentIn(view.period, m) && !view.log.refused(m))
    .map((m) => ({
      id: m.id,
      deadline: m.brokerTime + view.sla(m).receiptHours * HOUR_MS,
      answer: unjustifiedRefusal(view, m) ?? answered(view.log.exchangeAnswer(m)),
    }));
  return countTimeliness(items, view.log.asOf);
}

/** V: B's certificate.verify.answered, whatever its result, within the response SLA. */
export function verificationAnswers(view: PairView): Count {
  const items = openingRequests(view, 'certificate.verify.requested').map((m) => ({
    id: m.id,
    deadline: m.brokerTime + view.sla(m).responseHours * HOUR_MS,
    answer:
      unjustifiedRefusal(view, m) ??
      answered(view.log.firstInThread(m, ['certificate.verify.answered'], view.evaluated)),
  }));
  return countTimeliness(items, view.log.asOf);
}

function dueAt(request: LogRecord): number | undefined {
  const value = request.payload.dueAt;
  return typeof value === 'string' ? utcInstantMs(value) : undefined;
}

/**
 * T: B's task.completed by the task's due date; task.rejected decides it as
 * not completed. A task A cancelled before B answered is left out.
 */
export function taskCompletion(view: PairView): Count {
  const items = openingRequests(view, 'task.requested').flatMap((m) => {
    const refusal = unjustifiedRefusal(view, m);
    const reply = view.log.firstInThread(m, ['task.completed', 'task.rejected'], view.evaluated);
    const answer = refusal ?? answered(reply, reply?.type === 'task.completed');
    const cancel = view.log.firstInThread(m, ['task.cancelled'], view.evaluator);
    if (cancel && (!answer || cancel.brokerTime < answer.at)) return [];
    return [
      {
        id: m.id,
        deadline: dueAt(m) ?? m.brokerTime + view.sla(m).taskHours * HOUR_MS,
        answer,
      },
    ];
  });
  return countTimeliness(items, view.log.asOf);
}

/**
 * Q: of B's messages that A has answered, the share A receipted rather than
 * rejected; a rejection whose reason does not hold counts as a receipt.
 */
export function dataQuality(view: PairView): Count {
  const numeratorIds: string[] = [];
  const denominatorIds: string[] = [];
  const pendingIds: string[] = [];
  for (const m of view.log.messages) {
    if (m.from !== view.evaluated || !sentIn(view.period, m)) continue;
    const answer = view.log.exchangeAnswer(m);
    if (!answer) {
      pendingIds.push(m.id);
      continue;
    }
    denominatorIds.push(m.id);
    if (answer.type === 'receipt' || answer.verdict === 'unjustified') numeratorIds.push(m.id);
  }
  return {
    items: denominatorIds.length,
    numerator: numeratorIds.length,
    denominator: denominatorIds.length,
    numeratorIds,
    denominatorIds,
    pendingIds,
  };
}

/** The rating in `payload` when it is a valid one of exactly this period. */
function ratingOf(
  payload: LogRecord['payload'],
  period: Period,
): PayloadOf<'evaluation.rated'> | undefined {
  if (!isValidDto(EvaluationRatedPayloadV1, payload)) return undefined;
  const { periodStart, periodEnd } = payload;
  const same = utcInstantMs(periodStart) === period.start && utcInstantMs(periodEnd) === period.end;
  return same ? payload : undefined;
}

/**
 * S: A's latest valid rating of B for exactly this period. x = (mean − 1) / 4,
 * kept as the exact fraction Σ(criterion − 1) / (4 × criteria).
 */
export function subjectiveRating(view: PairView): Count {
  let latest: { id: string; rating: PayloadOf<'evaluation.rated'> } | undefined;
  for (const m of view.log.messages) {
    if (m.type !== 'evaluation.rated' || m.from !== view.evaluator || view.log.refused(m)) continue;
    const rating = ratingOf(m.payload, view.period);
    if (rating) latest = { id: m.id, rating };
  }
  if (!latest) {
    return {
      items: 0,
      numerator: 0,
      denominator: 0,
      numeratorIds: [],
      denominatorIds: [],
      pendingIds: [],
    };
  }
  const { criteria } = latest.rating;
  const points = EVALUATION_CRITERIA.reduce((sum, c) => sum + criteria[c] - 1, 0);
  return {
    items: 1,
    numerator: points,
    denominator: 4 * EVALUATION_CRITERIA.length,
    numeratorIds: [latest.id],
    denominatorIds: [latest.id],
    pendingIds: [],
  };
}
