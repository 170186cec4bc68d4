import fc from 'fast-check';
import { AgreementTermsV1, SCOPE_DOMAINS } from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url } from '@yipanqi/crypto';
import { INDICATORS, LogRecord, PairScore } from '@yipanqi/evaluation';
import { scoreFromLog, scoringLog } from './scoring-log';

/**
 * Properties of the one derivation (scoringLog → scoreFromLog, DESIGN §7)
 * on random logs: the score of a pair depends on the log alone — not on the
 * order of its records, not on who reads it, not on what arrived after the
 * as-of instant — and an unjustified rejection never pays.
 */

const A = '441300'; // 惠州市
const B = '511500'; // 宜宾市
const C = '440300'; // 深圳市: a third node
const H = 3_600_000;
/** broker times lie on a coarse grid so that ties happen */
const SLOT = 6 * H;
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2026, 3, 1);
const PERIOD = { start: START, end: END };
const AS_OF = END + 30 * 24 * H;
const AS_OF_SLOT = (AS_OF - START) / SLOT;
const SEED = 20261207;
const RUNS = 200;

const SIGNATURE = 'A'.repeat(86);
const HASH = 'h'.repeat(43);
const REASONS = [
  'SCHEMA_INVALID',
  'NO_AGREEMENT',
  'DECRYPT_FAILED',
  'AGREEMENT_INACTIVE',
  'OUT_OF_SCOPE',
] as const;

type Pair = 'AB' | 'AC' | 'BC';
const AGREEMENT_IDS: Record<Pair, string> = {
  AB: '0190aaaa-0000-7000-8000-0000000000ab',
  AC: '0190aaaa-0000-7000-8000-0000000000ac',
  BC: '0190aaaa-0000-7000-8000-0000000000bc',
};
/** [inflow, outflow]: the inflow node asks verifications, the outflow node answers them */
const PARTIES: Record<Pair, [string, string]> = { AB: [A, B], AC: [C, A], BC: [C, B] };

function pairOf(x: string, y: string): Pair {
  const both = [x, y].sort().join();
  return both === [A, B].sort().join() ? 'AB' : both === [A, C].sort().join() ? 'AC' : 'BC';
}

function at(slot: number): number {
  return START + slot * SLOT;
}

/** YYYY-MM-DDTHH:MM:SSZ */
function utcSecond(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

// ── what a random log is made of ──────────────────────────────────────────────

/** How a message's recipient answered it: nothing, a receipt or a rejection, slots after it. */
type AnswerSpec =
  | { kind: 'none' }
  | { kind: 'receipt'; delay: number }
  | { kind: 'rejection'; delay: number; reason: string; detail: string };

/** The per-message choices every message makes. */
interface Base {
  slot: number;
  /** the pair's agreement, none, or another pair's */
  agreement: 'pair' | 'none' | 'other';
  /** false: a pii member where the schema has none, or none where it has one */
  piiRight: boolean;
  /** ms before its broker time that its sender made it (the UUIDv7 time) */
  lead: number;
  salt: number;
  answer: AnswerSpec;
  /** a second answer of the recipient, e.g. a receipt and then a rejection */
  second: AnswerSpec;
}

interface Step {
  type: 'task.accepted' | 'task.completed' | 'task.rejected' | 'task.cancelled' | 'task.progress';
  delay: number;
  base: Base;
}

type Action =
  | { t: 'notice'; dir: [string, string]; base: Base; domain: string }
  | {
      t: 'verify';
      dir: [string, string];
      base: Base;
      coherent: boolean;
      reply: { delay: number; result: string; base: Base } | null;
      again: Base | null;
    }
  | {
      t: 'task';
      dir: [string, string];
      base: Base;
      domain: string;
      /** dueAt in slots after the request; null: no dueAt */
      due: number | null;
      steps: Step[];
    }
  | {
      t: 'rating';
      dir: [string, string];
      base: Base;
      criteria: [number, number, number, number];
      exact: boolean;
    }
  | { t: 'lifecycle'; pair: Pair; byInflow: boolean; status: 'suspended' | 'resumed'; base: Base };

interface AgreementSpec {
  scope: string[];
  sla: { receiptHours: number; responseHours: number; taskHours: number };
  weights: { R: number; V: number; T: number; Q: number; S: number } | null;
  proposedSlot: number;
  countersignedSlot: number;
  amendment: { slot: number; receiptHours: number } | null;
}

interface LogSpec {
  agreements: Partial<Record<Pair, AgreementSpec>>;
  actions: Action[];
}

/** Records added after the as-of instant, some of them about earlier messages. */
interface LateSpec {
  /** index into the log's messages (modulo their number) */
  target: number;
  kind: 'receipt' | 'rejection' | 'reply' | 'fresh';
  /** slots after the as-of instant */
  after: number;
  reason: string;
  base: Base;
}

const slotArb = fc.integer({ min: -8, max: 380 }); // 2 days before the period to 5 days after its end
const delayArb = fc.constantFrom(0, 1, 2, 4, 5, 8, 20, 30); // 0 h … 180 h
const reasonArb = fc.constantFrom(...REASONS);
const domainArb = fc.constantFrom(...SCOPE_DOMAINS);

const someAnswerArb: fc.Arbitrary<AnswerSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('receipt' as const), delay: delayArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('rejection' as const),
      delay: delayArb,
      reason: reasonArb,
      detail: fc.constantFrom('', 'pii.title', 'payload is too large', 'category'),
    }),
  },
);
const answerArb: fc.Arbitrary<AnswerSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 9, arbitrary: someAnswerArb },
);
const secondArb: fc.Arbitrary<AnswerSpec> = fc.oneof(
  { weight: 9, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: someAnswerArb },
);

const baseArb: fc.Arbitrary<Base> = fc.record({
  slot: slotArb,
  agreement: fc.constantFrom<Base['agreement']>('pair', 'pair', 'pair', 'pair', 'none', 'other'),
  piiRight: fc.constantFrom(true, true, true, true, true, false),
  lead: fc.integer({ min: 0, max: SLOT }),
  salt: fc.nat(),
  answer: answerArb,
  second: secondArb,
});

function dirArb(withC: boolean): fc.Arbitrary<[string, string]> {
  const ab: [string, string][] = [
    [A, B],
    [B, A],
  ];
  const c: [string, string][] = [
    [A, C],
    [C, A],
    [B, C],
    [C, B],
  ];
  return withC
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...ab) },
        { weight: 1, arbitrary: fc.constantFrom(...c) },
      )
    : fc.constantFrom(...ab);
}

function actionArb(withC: boolean): fc.Arbitrary<Action> {
  const dir = dirArb(withC);
  const pairs: Pair[] = withC ? ['AB', 'AC', 'BC'] : ['AB'];
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('notice' as const),
        dir,
        base: baseArb,
        domain: domainArb,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('verify' as const),
        dir,
        base: baseArb,
        coherent: fc.constantFrom(true, true, true, true, false),
        reply: fc.option(
          fc.record({
            delay: fc.constantFrom(0, 1, 4, 16, 20, 21, 40, 80),
            result: fc.constantFrom('VALID', 'INVALID', 'NOT_FOUND', 'EXPIRED'),
            base: baseArb,
          }),
          { freq: 5 },
        ),
        again: fc.option(baseArb, { freq: 8 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('task' as const),
        dir,
        base: baseArb,
        domain: domainArb,
        due: fc.option(fc.integer({ min: -2, max: 120 }), { freq: 10 }),
        steps: fc.array(
          fc.record({
            type: fc.constantFrom<Step['type']>(
              'task.accepted',
              'task.accepted',
              'task.completed',
              'task.completed',
              'task.rejected',
              'task.cancelled',
              'task.progress',
            ),
            delay: fc.integer({ min: 0, max: 40 }),
            base: baseArb,
          }),
          { maxLength: 3 },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('rating' as const),
        dir,
        base: baseArb,
        criteria: fc.tuple(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
        ),
        exact: fc.constantFrom(true, true, true, false),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('lifecycle' as const),
        pair: fc.constantFrom(...pairs),
        byInflow: fc.boolean(),
        status: fc.constantFrom('suspended' as const, 'resumed' as const),
        base: baseArb,
      }),
    },
  );
}

const agreementArb: fc.Arbitrary<AgreementSpec> = fc.record({
  scope: fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([...SCOPE_DOMAINS]) },
    { weight: 1, arbitrary: fc.subarray([...SCOPE_DOMAINS], { minLength: 1 }) },
  ),
  sla: fc.record({
    receiptHours: fc.constantFrom(12, 24, 48),
    responseHours: fc.constantFrom(48, 120),
    taskHours: fc.constantFrom(120, 360),
  }),
  weights: fc.option(
    fc.record({
      R: fc.constantFrom(0, 10, 20, 40),
      V: fc.constantFrom(0, 25),
      T: fc.constantFrom(0, 25, 30),
      Q: fc.constantFrom(0, 10, 15),
      S: fc.constantFrom(0, 15),
    }),
    { freq: 2 },
  ),
  proposedSlot: fc.integer({ min: -40, max: -10 }),
  countersignedSlot: fc.integer({ min: -9, max: 60 }),
  amendment: fc.option(
    fc.record({ slot: fc.integer({ min: 0, max: 380 }), receiptHours: fc.constantFrom(6, 36, 72) }),
    { freq: 3 },
  ),
});

function logArb(withC: boolean): fc.Arbitrary<LogSpec> {
  return fc.record({
    agreements: withC
      ? fc.record(
          { AB: agreementArb, AC: agreementArb, BC: agreementArb },
          { requiredKeys: ['AB'] },
        )
      : fc.record({ AB: agreementArb }),
    actions: fc.array(actionArb(withC), { maxLength: 24 }),
  });
}

const lateArb: fc.Arbitrary<LateSpec[]> = fc.array(
  fc.record({
    target: fc.nat(),
    kind: fc.constantFrom<LateSpec['kind']>('receipt', 'rejection', 'rejection', 'reply', 'fresh'),
    after: fc.integer({ min: 1, max: 40 }),
    reason: reasonArb,
    base: baseArb,
  }),
  { minLength: 1, maxLength: 8 },
);

// ── from the choices to log records ───────────────────────────────────────────

/** Types whose payload carries an encrypted `pii` member (as `piiForm` tells). */
const WITH_PII = new Set([
  'notice',
  'certificate.verify.requested',
  'task.requested',
  'task.accepted',
  'task.progress',
  'task.completed',
  'task.rejected',
  'task.cancelled',
]);

/** Builds the records of a LogSpec; ids are unique UUIDv7s whose time is their making. */
class Builder {
  readonly records: LogRecord[] = [];
  private count = 0;

  id(made: number, salt: number): string {
    const time = Math.max(0, made).toString(16).padStart(12, '0');
    const counter = (this.count++ % 0x1000).toString(16).padStart(3, '0');
    const rand = (salt % 0x1000_0000_0000).toString(16).padStart(15, '0');
    return `${time.slice(0, 8)}-${time.slice(8)}-7${counter}-8${rand.slice(0, 3)}-${rand.slice(3)}`;
  }

  message(
    from: string,
    to: string,
    type: string,
    brokerTime: number,
    base: Base,
    fields: Partial<LogRecord> = {},
  ): LogRecord {
    const pii = WITH_PII.has(type) === base.piiRight;
    const agreementId =
      base.agreement === 'pair'
        ? AGREEMENT_IDS[pairOf(from, to)]
        : base.agreement === 'other'
          ? AGREEMENT_IDS[pairOf(from, to) === 'AB' ? 'BC' : 'AB']
          : null;
    const record: LogRecord = {
      id: this.id(brokerTime - base.lead, base.salt),
      type,
      v: 1,
      from,
      to,
      agreementId,
      correlationId: null,
      causationId: null,
      brokerTime,
      payload: {},
      piiForm: pii ? 'jwe' : 'none',
      ...fields,
    };
    this.records.push(record);
    for (const answer of [base.answer, base.second]) this.answer(record, answer, base.salt);
    return record;
  }

  /** The recipient's receipt or rejection of `m`, in the sender's inbox. */
  answer(m: LogRecord, spec: AnswerSpec, salt: number, brokerTime?: number): LogRecord | undefined {
    if (spec.kind === 'none') return undefined;
    const time = brokerTime ?? m.brokerTime + spec.delay * SLOT;
    const receipt = { messageId: m.id, messageHash: HASH, brokerTime: m.brokerTime };
    const record: LogRecord = {
      id: this.id(time - (salt % SLOT), salt >> 3),
      type: spec.kind,
      v: 1,
      from: m.to,
      to: m.from,
      agreementId: m.agreementId,
      correlationId: m.correlationId,
      causationId: m.id,
      brokerTime: time,
      payload:
        spec.kind === 'receipt'
          ? receipt
          : { ...receipt, reason: spec.reason, detail: spec.detail },
      piiForm: 'none',
    };
    this.records.push(record);
    return record;
  }

  agreement(pair: Pair, spec: AgreementSpec): void {
    const [inflow, outflow] = PARTIES[pair];
    const agreementId = AGREEMENT_IDS[pair];
    const text = (version: number, receiptHours: number): AgreementTermsV1 => ({
      agreementId,
      version,
      inflow,
      outflow,
      scope: spec.scope as AgreementTermsV1['scope'],
      sla: { ...spec.sla, receiptHours },
      weights: spec.weights ?? { R: 20, V: 25, T: 25, Q: 15, S: 15 },
      termStart: '2025-12-01T00:00:00Z',
      termEnd: '2029-01-01T00:00:00Z',
      contacts: [],
    });
    const quiet: Base = {
      slot: 0,
      agreement: 'pair',
      piiRight: true,
      lead: 0,
      salt: 7,
      answer: { kind: 'receipt', delay: 0 },
      second: { kind: 'none' },
    };
    const offer = (type: string, terms: AgreementTermsV1, offerSlot: number, signSlot: number) => {
      const hash = sha256Base64url(canonicalJson(terms));
      this.message(inflow, outflow, type, at(offerSlot), quiet, {
        payload: { terms, hash, signature: SIGNATURE },
      });
      this.message(outflow, inflow, 'agreement.countersigned', at(signSlot), quiet, {
        payload: { agreementId, version: terms.version, hash, signature: SIGNATURE },
      });
    };
    offer(
      'agreement.proposed',
      text(1, spec.sla.receiptHours),
      spec.proposedSlot,
      spec.countersignedSlot,
    );
    if (spec.amendment) {
      const { slot, receiptHours } = spec.amendment;
      offer('agreement.amended', text(2, receiptHours), slot, slot + 1);
    }
  }

  action(a: Action): void {
    if (a.t === 'lifecycle') {
      const [inflow, outflow] = PARTIES[a.pair];
      const [from, to] = a.byInflow ? [inflow, outflow] : [outflow, inflow];
      this.message(from, to, `agreement.${a.status}`, at(a.base.slot), a.base, {
        agreementId: AGREEMENT_IDS[a.pair],
        payload: { agreementId: AGREEMENT_IDS[a.pair], reason: 'test' },
      });
      return;
    }
    const [from, to] = a.dir;
    const sent = at(a.base.slot);
    const thread = this.id(sent - a.base.lead, a.base.salt + 1);
    if (a.t === 'notice') {
      this.message(from, to, 'notice', sent, a.base, {
        payload: { category: 'policy', domain: a.domain },
      });
    } else if (a.t === 'rating') {
      const [responsiveness, dataQuality, cooperation, serviceQuality] = a.criteria;
      this.message(from, to, 'evaluation.rated', sent, a.base, {
        payload: {
          periodStart: utcSecond(START),
          periodEnd: a.exact ? utcSecond(END) : '2026-03-01T00:00:00Z',
          criteria: { responsiveness, dataQuality, cooperation, serviceQuality },
        },
      });
    } else if (a.t === 'verify') {
      const request = this.message(from, to, 'certificate.verify.requested', sent, a.base, {
        correlationId: thread,
        payload: { verificationId: a.coherent ? thread : this.id(sent, a.base.salt + 2) },
      });
      if (a.again) {
        this.message(from, to, 'certificate.verify.requested', at(a.again.slot), a.again, {
          correlationId: thread,
          payload: { verificationId: thread },
        });
      }
      if (a.reply) {
        this.message(
          to,
          from,
          'certificate.verify.answered',
          sent + a.reply.delay * SLOT,
          a.reply.base,
          {
            correlationId: thread,
            causationId: request.id,
            payload: { verificationId: thread, result: a.reply.result, answeredBy: 'staff' },
          },
        );
      }
    } else {
      const request = this.message(from, to, 'task.requested', sent, a.base, {
        correlationId: thread,
        payload: {
          kind: 'investigation',
          domain: a.domain,
          ...(a.due === null ? {} : { dueAt: utcSecond(sent + a.due * SLOT) }),
        },
      });
      let time = sent;
      for (const step of a.steps) {
        time += step.delay * SLOT;
        const [sender, recipient] = step.type === 'task.cancelled' ? [from, to] : [to, from];
        this.message(sender, recipient, step.type, time, step.base, {
          agreementId: request.agreementId,
          correlationId: thread,
          causationId: request.id,
          payload: stepPayload(step.type),
        });
      }
    }
  }

  /** Records after the as-of instant: answers and replies to earlier messages, new messages. */
  late(specs: readonly LateSpec[]): void {
    const earlier = this.records.filter((r) => r.type !== 'receipt' && r.type !== 'rejection');
    for (const spec of specs) {
      const time = AS_OF + spec.after * SLOT;
      const target = earlier.length > 0 ? earlier[spec.target % earlier.length] : undefined;
      if (spec.kind === 'fresh' || !target) {
        this.action({
          t: 'notice',
          dir: [A, B],
          base: { ...spec.base, slot: AS_OF_SLOT + spec.after },
          domain: 'publicity',
        });
      } else if (spec.kind === 'reply') {
        const thread = target.correlationId ?? target.id;
        const type =
          target.type === 'certificate.verify.requested'
            ? 'certificate.verify.answered'
            : target.type.startsWith('task.')
              ? 'task.completed'
              : 'notice';
        this.message(target.to, target.from, type, time, spec.base, {
          agreementId: target.agreementId,
          correlationId: thread,
          causationId: target.id,
          payload:
            type === 'certificate.verify.answered'
              ? { verificationId: thread, result: 'VALID', answeredBy: 'automatic' }
              : stepPayload(type),
        });
      } else {
        const answer: AnswerSpec =
          spec.kind === 'receipt'
            ? { kind: 'receipt', delay: 0 }
            : { kind: 'rejection', delay: 0, reason: spec.reason, detail: '' };
        this.answer(target, answer, spec.base.salt, time);
      }
    }
  }
}

function stepPayload(type: string): Record<string, unknown> {
  switch (type) {
    case 'task.completed':
      return { outcome: 'done' };
    case 'task.rejected':
      return { reason: 'not-our-remit' };
    case 'task.cancelled':
      return { reason: 'no-longer-needed' };
    case 'notice':
      return { category: 'other', domain: 'publicity' };
    default:
      return {};
  }
}

function build(
  spec: LogSpec,
  late: readonly LateSpec[] = [],
): { records: LogRecord[]; withLate: LogRecord[] } {
  const builder = new Builder();
  for (const [pair, agreement] of Object.entries(spec.agreements) as [Pair, AgreementSpec][]) {
    builder.agreement(pair, agreement);
  }
  for (const action of spec.actions) builder.action(action);
  const records = [...builder.records];
  builder.late(late);
  return { records, withLate: builder.records };
}

// ── scoring as node, coordinator and auditor do it: the log cut at its as-of ──────

function scores(records: readonly LogRecord[]): { ab: PairScore; ba: PairScore } {
  const log = scoringLog(records, AS_OF);
  const pair = { period: PERIOD, asOf: AS_OF };
  return {
    ab: scoreFromLog(log, { evaluator: A, evaluated: B, ...pair }),
    ba: scoreFromLog(log, { evaluator: B, evaluated: A, ...pair }),
  };
}

function score(records: readonly LogRecord[], evaluator: string, evaluated: string): PairScore {
  return scoreFromLog(scoringLog(records, AS_OF), {
    evaluator,
    evaluated,
    period: PERIOD,
    asOf: AS_OF,
  });
}

function viewOf(node: string, records: readonly LogRecord[]): LogRecord[] {
  return records.filter((r) => r.from === node || r.to === node);
}

/** The auditor's log: every node's records, each envelope once. */
function union(...views: (readonly LogRecord[])[]): LogRecord[] {
  const byId = new Map<string, LogRecord>();
  for (const r of views.flat()) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()];
}

/** Reasons the log decides completely, and DECRYPT_FAILED (unjustified on a type without pii). */
const LOG_DECIDED = ['NO_AGREEMENT', 'OUT_OF_SCOPE', 'AGREEMENT_INACTIVE', 'DECRYPT_FAILED'];

/**
 * A message M between A and B, sent in the period, that its recipient X
 * answered by one receipt, and the same log with that receipt turned into a
 * rejection that scoringLog itself judges `unjustified` (constructed, not
 * set after the fact: the rejection's verdict is read back from scoringLog),
 * and without any answer of X to M. Undefined when the log has no such M.
 */
function unjustifiedRejection(records: LogRecord[], pick: number) {
  const isAnswer = (r: LogRecord) => r.type === 'receipt' || r.type === 'rejection';
  const candidates = records.flatMap((message) => {
    const between = [A, B].includes(message.from) && [A, B].includes(message.to);
    const inPeriod = message.brokerTime >= START && message.brokerTime < END;
    if (isAnswer(message) || !between || !inPeriod) return [];
    const answers = records.filter(
      (r) => isAnswer(r) && r.from === message.to && r.payload.messageId === message.id,
    );
    return answers.length === 1 && answers[0].type === 'receipt'
      ? [{ message, receipt: answers[0] }]
      : [];
  });
  for (let i = 0; i < candidates.length; i++) {
    const { message, receipt } = candidates[(pick + i) % candidates.length];
    for (let j = 0; j < LOG_DECIDED.length; j++) {
      const reason = LOG_DECIDED[(pick + j) % LOG_DECIDED.length];
      if (reason === 'DECRYPT_FAILED' && WITH_PII.has(message.type)) continue;
      const rejection: LogRecord = {
        ...receipt,
        type: 'rejection',
        payload: { ...receipt.payload, reason, detail: '' },
      };
      const rejected = records.map((r) => (r === receipt ? rejection : r));
      const judged = scoringLog(rejected).rejections.find((r) => r.rejectionId === rejection.id);
      if (judged?.verdict !== 'unjustified') continue;
      return {
        message,
        receipted: records,
        rejected,
        silent: records.filter((r) => r !== receipt),
      };
    }
  }
  return undefined;
}

/** `worse` ≤ `better` when both are numbers. */
function expectNoBetter(worse: PairScore, better: PairScore): void {
  if (typeof worse.score === 'number' && typeof better.score === 'number') {
    expect(worse.score).toBeLessThanOrEqual(better.score);
  }
}

const options = { seed: SEED, numRuns: RUNS };

describe('scoring properties (seeded random logs through scoringLog)', () => {
  it('does not depend on the order of the records, also among equal broker times', () => {
    const arb = logArb(true)
      .map((spec) => build(spec).records)
      .chain((records) =>
        fc.tuple(
          fc.constant(records),
          fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
        ),
      );
    fc.assert(
      fc.property(arb, ([records, shuffled]) => {
        const expected = scores(records);
        expect(scores(shuffled)).toEqual(expected);
        // equal broker times in reverse id order: the order a tie-break by arrival would flip
        const reversedTies = [...records].sort(
          (x, y) => x.brokerTime - y.brokerTime || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0),
        );
        expect(scores(reversedTies)).toEqual(expected);
      }),
      options,
    );
  });

  it('does not depend on which node computes it: each node from its own log, the auditor from all', () => {
    fc.assert(
      fc.property(logArb(true), (spec) => {
        const { records } = build(spec);
        const ofA = viewOf(A, records);
        const ofB = viewOf(B, records);
        const ofC = viewOf(C, records);
        // the auditor reads every node's records: those of A–B twice, deduplicated by id
        const auditor = scores(union(ofA, ofB, ofC));
        expect(scores(ofA)).toEqual(auditor);
        expect(scores(ofB)).toEqual(auditor);
        // without C's records at all
        expect(scores(records.filter((r) => r.from !== C && r.to !== C))).toEqual(auditor);
      }),
      options,
    );
  });

  it('gives the same figures when every record of A–B comes twice (each node’s view, concatenated)', () => {
    fc.assert(
      fc.property(logArb(true), (spec) => {
        const { records } = build(spec);
        const twice = [...viewOf(A, records), ...viewOf(B, records), ...viewOf(C, records)];
        expect(scores(twice)).toEqual(scores(records));
      }),
      options,
    );
  });

  it('does not change with records after the as-of instant', () => {
    fc.assert(
      fc.property(logArb(true), lateArb, (spec, late) => {
        const { records, withLate } = build(spec, late);
        expect(scores(withLate)).toEqual(scores(records));
      }),
      options,
    );
  });

  it('never scores a node better for rejecting unjustifiably than for receipting', () => {
    fc.assert(
      fc.property(logArb(false), fc.nat(), (spec, pick) => {
        const found = unjustifiedRejection(build(spec).records, pick);
        fc.pre(found !== undefined);
        if (!found) return;
        const { message, receipted, rejected } = found;
        const [rejecter, other] = [message.to, message.from];
        const withReceipt = score(receipted, other, rejecter);
        const withRejection = score(rejected, other, rejecter);
        expectNoBetter(withRejection, withReceipt);
        // the item does not vanish: what counted the message still counts it
        if (withReceipt.score !== 'n/a') expect(withRejection.score).not.toBe('n/a');
        for (const code of INDICATORS) {
          if (withReceipt.indicators[code].denominatorIds.includes(message.id)) {
            expect(withRejection.indicators[code].denominatorIds).toContain(message.id);
          }
        }
      }),
      options,
    );
  });

  it('never scores a node better for rejecting unjustifiably than for not answering at all', () => {
    fc.assert(
      fc.property(logArb(false), fc.nat(), (spec, pick) => {
        const found = unjustifiedRejection(build(spec).records, pick);
        fc.pre(found !== undefined);
        if (!found) return;
        const { message, silent, rejected } = found;
        const [rejecter, other] = [message.to, message.from];
        expectNoBetter(score(rejected, other, rejecter), score(silent, other, rejecter));
      }),
      options,
    );
  });
});
