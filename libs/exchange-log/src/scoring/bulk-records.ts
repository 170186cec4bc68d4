import { isAnswer, isBulkType, recordTypeOf } from '@yipanqi/contracts';
import { JudgeableRecord } from './rejection-verdicts';

/** A bulk record as the log carries it, once its shape is readable. */
interface LoggedRecord {
  id: string;
  correlationId: string | null;
  payload: Readonly<Record<string, unknown>>;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The records of a bulk, or undefined when its payload does not have the bulk shape (then it stays one message). */
function loggedRecords(r: JudgeableRecord): LoggedRecord[] | undefined {
  const { records } = r.payload;
  if (!Array.isArray(records) || records.length === 0) return undefined;
  const out: LoggedRecord[] = [];
  for (const x of records) {
    if (!isObject(x) || typeof x.id !== 'string' || !isObject(x.payload)) return undefined;
    const correlationId = typeof x.correlationId === 'string' ? x.correlationId : null;
    out.push({ id: x.id, correlationId, payload: x.payload });
  }
  return out;
}

/**
 * DESIGN §7 "Bulk invariance": scoring sees each record of a bulk message as
 * the message it would have been alone — its own id, type, thread and
 * payload, at the bulk's broker time — and the bulk's answer as one answer
 * per record: a receipt's outcome `accepted` as a receipt, `refused` as a
 * rejection with the record's reason, a rejection of the whole bulk as that
 * rejection of every record. Everything after this (verdicts, items,
 * evidence ids) therefore cannot tell how the records travelled. A bulk
 * whose payload is not readable as records stays one message.
 */
export function expandBulks(all: readonly JudgeableRecord[]): JudgeableRecord[] {
  const bulks = new Map<string, { bulk: JudgeableRecord; records: LoggedRecord[] }>();
  for (const r of all) {
    if (!isBulkType(r.type)) continue;
    const records = loggedRecords(r);
    if (records) bulks.set(`${r.from}>${r.to}>${r.id}`, { bulk: r, records });
  }
  if (bulks.size === 0) return [...all];

  const out: JudgeableRecord[] = [];
  for (const r of all) {
    const messageId = r.payload.messageId;
    const answered =
      isAnswer(r.type) && typeof messageId === 'string'
        ? bulks.get(`${r.to}>${r.from}>${messageId}`)
        : undefined;
    const own = isBulkType(r.type) ? bulks.get(`${r.from}>${r.to}>${r.id}`) : undefined;
    if (own) out.push(...own.records.map((x) => recordAlone(own.bulk, x)));
    else if (answered) out.push(...answersPerRecord(r, answered.records));
    else out.push(r);
  }
  return withDuplicateVerdicts(out);
}

function recordAlone(bulk: JudgeableRecord, x: LoggedRecord): JudgeableRecord {
  return {
    id: x.id,
    type: recordTypeOf(bulk.type),
    v: bulk.v,
    from: bulk.from,
    to: bulk.to,
    agreementId: bulk.agreementId,
    correlationId: x.correlationId,
    causationId: bulk.causationId,
    brokerTime: bulk.brokerTime,
    payload: x.payload,
    piiForm: bulk.piiForm,
  };
}

interface Outcome {
  id: string;
  outcome: 'accepted' | 'refused';
  reason: unknown;
  detail: unknown;
}

function outcomesOf(answer: JudgeableRecord): Map<string, Outcome> | undefined {
  const { outcomes } = answer.payload;
  if (!Array.isArray(outcomes)) return undefined;
  const byId = new Map<string, Outcome>();
  for (const o of outcomes) {
    if (!isObject(o) || typeof o.id !== 'string' || byId.has(o.id)) continue;
    if (o.outcome !== 'accepted' && o.outcome !== 'refused') continue;
    byId.set(o.id, { id: o.id, outcome: o.outcome, reason: o.reason, detail: o.detail });
  }
  return byId;
}

/** One answer per record; a record the receipt names no outcome for stays unanswered. */
function answersPerRecord(answer: JudgeableRecord, records: LoggedRecord[]): JudgeableRecord[] {
  const outcomes = answer.type === 'receipt' ? outcomesOf(answer) : undefined;
  const { messageHash, brokerTime } = answer.payload;
  return records.flatMap((x): JudgeableRecord[] => {
    const common = {
      ...answer,
      id: `${answer.id}/${x.id}`,
      correlationId: x.correlationId,
      causationId: x.id,
    };
    if (answer.type === 'rejection') {
      return [{ ...common, payload: { ...answer.payload, messageId: x.id } }];
    }
    const o = outcomes?.get(x.id);
    if (outcomes && !o) return [];
    if (!o || o.outcome === 'accepted') {
      return [{ ...common, payload: { messageId: x.id, messageHash, brokerTime } }];
    }
    return [
      {
        ...common,
        type: 'rejection',
        payload: { messageId: x.id, messageHash, brokerTime, reason: o.reason, detail: o.detail },
      },
    ];
  });
}

/**
 * A record refused DUPLICATE is a stream question the log can answer: the
 * refusal holds when the same sender sent a record or message with that id
 * to the same node before (earlier broker time); otherwise only the
 * recipient's tables could tell.
 */
function withDuplicateVerdicts(records: JudgeableRecord[]): JudgeableRecord[] {
  const first = new Map<string, number>();
  for (const r of records) {
    if (isAnswer(r.type)) continue;
    const key = `${r.from}>${r.to}>${r.id}`;
    const seen = first.get(key);
    if (seen === undefined || r.brokerTime < seen) first.set(key, r.brokerTime);
  }
  return records.map((r) => {
    if (r.type !== 'rejection' || r.payload.reason !== 'DUPLICATE' || !r.id.includes('/')) {
      return r;
    }
    const messageId = String(r.payload.messageId);
    const seen = first.get(`${r.to}>${r.from}>${messageId}`);
    const stated = r.payload.brokerTime;
    const earlier = seen !== undefined && typeof stated === 'number' && seen < stated;
    return { ...r, streamVerdict: earlier ? 'justified' : 'undecidable' };
  });
}
