import { scoreCampaign } from './campaign';
import { RejectionVerdict, ScoringRecord as LogRecord } from './log-record';
import { PairInput, scorePair } from './score-pair';
import { DEFAULT_WEIGHTS, effectiveWeights, INDICATORS, Sla, Weights } from './terms';

const A = '441300'; // 惠州市: the evaluator
const B = '511500'; // 宜宾市: the partner it scores
const C = '440300'; // 深圳市: a third node
const H = 3_600_000;
const START = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z
const END = Date.UTC(2026, 3, 1); // 2026-04-01T00:00:00Z
const period = { start: START, end: END };
/** long after every deadline of the period */
const LATER = END + 60 * 24 * H;

/** A hand-written log; every message opens its own thread unless it answers one. */
class Log {
  readonly records: LogRecord[] = [];

  add(
    id: string,
    type: string,
    from: string,
    to: string,
    at: number,
    fields: Partial<LogRecord> = {},
  ): LogRecord {
    const record: LogRecord = {
      id,
      type,
      v: 1,
      from,
      to,
      agreementId: 'ag-1',
      correlationId: id,
      causationId: null,
      brokerTime: at,
      payload: {},
      piiForm: 'none',
      verdict: null,
      ...fields,
    };
    this.records.push(record);
    return record;
  }

  fromA(id: string, type: string, at: number, fields: Partial<LogRecord> = {}): LogRecord {
    return this.add(id, type, A, B, at, fields);
  }

  fromB(id: string, type: string, at: number, fields: Partial<LogRecord> = {}): LogRecord {
    return this.add(id, type, B, A, at, fields);
  }

  /** The recipient's exchange answer: `receipt` or `rejection`. */
  exchangeAnswer(
    message: LogRecord,
    type: 'receipt' | 'rejection',
    at: number,
    verdict: RejectionVerdict | null = null,
  ): LogRecord {
    const payload =
      type === 'receipt'
        ? { messageId: message.id }
        : { messageId: message.id, reason: 'SCHEMA_INVALID' };
    return this.add(`${message.id}/${type}`, type, message.to, message.from, at, {
      correlationId: message.correlationId,
      causationId: message.id,
      payload,
      verdict,
    });
  }

  receipt(message: LogRecord, at: number): LogRecord {
    return this.exchangeAnswer(message, 'receipt', at);
  }

  /** A rejection, by default one whose reason holds. */
  rejection(message: LogRecord, at: number, verdict: RejectionVerdict = 'justified'): LogRecord {
    return this.exchangeAnswer(message, 'rejection', at, verdict);
  }

  /** A flow answer in the request's thread, from the request's recipient. */
  reply(
    request: LogRecord,
    id: string,
    type: string,
    at: number,
    payload: Record<string, unknown> = {},
  ): LogRecord {
    return this.add(id, type, request.to, request.from, at, {
      correlationId: request.correlationId,
      causationId: request.id,
      payload,
    });
  }
}

function score(log: Log, input: Partial<PairInput> = {}) {
  return scorePair({
    evaluator: A,
    evaluated: B,
    period,
    asOf: LATER,
    records: log.records,
    ...input,
  });
}

function rating(criteria: [number, number, number, number], periodEnd = '2026-04-01T00:00:00Z') {
  const [responsiveness, dataQuality, cooperation, serviceQuality] = criteria;
  return {
    payload: {
      periodStart: '2026-01-01T00:00:00Z',
      periodEnd,
      criteria: { responsiveness, dataQuality, cooperation, serviceQuality },
    },
  };
}

describe('scorePair', () => {
  it('is n/a with no messages: every indicator n/a, no weight counts', () => {
    const result = score(new Log());

    expect(result.score).toBe('n/a');
    expect(result.items).toBe(0);
    for (const code of INDICATORS) {
      expect(result.indicators[code]).toEqual({
        weight: DEFAULT_WEIGHTS[code],
        items: 0,
        numerator: 0,
        denominator: 0,
        numeratorIds: [],
        denominatorIds: [],
        pendingIds: [],
        x: 'n/a',
      });
    }
  });

  it('drops an indicator without items, and its weight, from the score', () => {
    const log = new Log();
    log.receipt(log.fromA('n1', 'notice', START + H), START + 2 * H);
    log.rejection(log.fromB('m1', 'notice', START + 3 * H), START + 4 * H);

    const result = score(log);

    // R = 1/1 (w 20), Q = 0/1 (w 15); V, T and S have no items and drop out:
    // 100 × (20 × 1 + 15 × 0) / (20 + 15) = 2000 / 35 = 57.142… → 57.14
    expect(result.score).toBe(57.14);
    expect(result.items).toBe(2);
    expect(result.indicators.R).toMatchObject({
      items: 1,
      numerator: 1,
      x: 1,
      numeratorIds: ['n1'],
      denominatorIds: ['n1'],
    });
    expect(result.indicators.Q).toMatchObject({
      items: 1,
      numerator: 0,
      x: 0,
      numeratorIds: [],
      denominatorIds: ['m1'],
    });
    for (const code of ['V', 'T', 'S'] as const) {
      expect(result.indicators[code]).toMatchObject({ weight: DEFAULT_WEIGHTS[code], x: 'n/a' });
    }
  });

  it('leaves out items still undecided at the as-of instant', () => {
    const log = new Log();
    const t1 = log.fromA('t1', 'task.requested', START, {
      payload: { dueAt: '2026-04-02T00:00:00Z' }, // END + 24 h
    });
    log.receipt(t1, START + H);
    log.receipt(log.fromA('n1', 'notice', END - H), END + H); // receipt due END + 23 h
    log.fromA('n2', 'notice', END - H); // never receipted, due END + 23 h
    log.receipt(log.fromB('m1', 'notice', END - H), END + H);

    // as of END: the receipts of n1 and m1 have not arrived, no deadline but t1's receipt passed
    const atEnd = score(log, { asOf: END });
    expect(atEnd.indicators.R).toMatchObject({
      x: 1,
      denominatorIds: ['t1'],
      pendingIds: ['n1', 'n2'],
    });
    expect(atEnd.indicators.T).toMatchObject({ x: 'n/a', pendingIds: ['t1'] });
    expect(atEnd.indicators.Q).toMatchObject({ x: 'n/a', pendingIds: ['m1'] });
    expect(atEnd.score).toBe(100); // R alone: 100 × 20 × 1 / 20

    // 1 ms before n2's deadline it is still pending
    const justBefore = score(log, { asOf: END + 23 * H - 1 });
    expect(justBefore.indicators.R).toMatchObject({
      numeratorIds: ['t1', 'n1'],
      pendingIds: ['n2'],
    });
    expect(justBefore.indicators.Q).toMatchObject({ x: 1, pendingIds: [] });

    // at its deadline n2 is decided, late: R = 2/3 (w 20), Q = 1/1 (w 15), T still pending
    // 100 × (20 × 2/3 + 15 × 1) / 35 = 100 × (85/3) / 35 = 80.952… → 80.95
    const atDeadline = score(log, { asOf: END + 23 * H });
    expect(atDeadline.indicators.R).toMatchObject({ numerator: 2, denominator: 3, pendingIds: [] });
    expect(atDeadline.score).toBe(80.95);

    // t1's due date passes unanswered: T = 0/1 (w 25)
    // 100 × (20 × 2/3 + 25 × 0 + 15 × 1) / 60 = 100 × (85/3) / 60 = 47.222… → 47.22
    const atDue = score(log, { asOf: END + 24 * H });
    expect(atDue.indicators.T).toMatchObject({ x: 0, denominatorIds: ['t1'], pendingIds: [] });
    expect(atDue.score).toBe(47.22);
  });

  it('counts an answer at the deadline as on time and 1 ms after as late', () => {
    const sent = START + 10 * H;
    const deadline = sent + 24 * H;
    const log = new Log();
    log.receipt(log.fromA('n1', 'notice', sent), deadline - 1);
    log.receipt(log.fromA('n2', 'notice', sent), deadline);
    log.receipt(log.fromA('n3', 'notice', sent), deadline + 1);

    const result = score(log);

    // R = 2/3 alone: 100 × 2/3 = 66.666… → 66.67
    expect(result.indicators.R).toMatchObject({
      numeratorIds: ['n1', 'n2'],
      denominatorIds: ['n1', 'n2', 'n3'],
    });
    expect(result.score).toBe(66.67);
  });

  it('leaves out of R what B rightly rejected and counts A’s justified rejections against B in Q', () => {
    const log = new Log();
    log.rejection(log.fromA('n1', 'notice', START), START + H);
    log.rejection(log.fromA('n0', 'notice', START), START + H, 'undecidable');
    log.receipt(log.fromA('n2', 'notice', START), START + 25 * H);
    log.receipt(log.fromB('m1', 'migrant.arrival', START), START + H);
    log.rejection(log.fromB('m2', 'migrant.arrival', START), START + H);
    log.fromB('m3', 'migrant.arrival', START); // A never answers it

    const result = score(log);

    expect(result.indicators.R).toMatchObject({ numeratorIds: [], denominatorIds: ['n2'] });
    expect(result.indicators.Q).toMatchObject({
      numeratorIds: ['m1'],
      denominatorIds: ['m1', 'm2'],
      pendingIds: ['m3'],
    });
    // R = 0/1 (w 20), Q = 1/2 (w 15): 100 × 7.5 / 35 = 21.428… → 21.43
    expect(result.score).toBe(21.43);
  });

  describe('with a rejection whose reason does not hold (DESIGN §7)', () => {
    it('decides B’s item as not on time, however quick the rejection', () => {
      const log = new Log();
      log.rejection(log.fromA('n1', 'notice', START), START + H, 'unjustified');
      const v1 = log.fromA('v1', 'certificate.verify.requested', START);
      log.receipt(v1, START + H);
      log.rejection(
        log.fromA('v2', 'certificate.verify.requested', START),
        START + H,
        'unjustified',
      );
      log.rejection(log.fromA('t1', 'task.requested', START), START + H, 'unjustified');
      log.reply(v1, 'v1a', 'certificate.verify.answered', START + 2 * H, { result: 'VALID' });

      const result = score(log);

      expect(result.indicators.R).toMatchObject({
        numeratorIds: ['v1'],
        denominatorIds: ['n1', 't1', 'v1', 'v2'],
      });
      expect(result.indicators.V).toMatchObject({
        numeratorIds: ['v1'],
        denominatorIds: ['v1', 'v2'],
      });
      expect(result.indicators.T).toMatchObject({ numeratorIds: [], denominatorIds: ['t1'] });
    });

    it('counts what A rejected unjustifiably as accepted: Q receipted, an answer arrived', () => {
      const log = new Log();
      log.rejection(log.fromB('m1', 'migrant.arrival', START), START + H, 'unjustified');
      const v1 = log.fromA('v1', 'certificate.verify.requested', START);
      log.receipt(v1, START + H);
      const answer = log.reply(v1, 'v1a', 'certificate.verify.answered', START + 2 * H, {
        result: 'VALID',
      });
      log.rejection(answer, START + 3 * H, 'unjustified');
      const t1 = log.fromA('t1', 'task.requested', START, {
        payload: { dueAt: '2026-01-10T00:00:00Z' },
      });
      log.receipt(t1, START + H);
      log.rejection(
        log.reply(t1, 't1c', 'task.completed', START + 4 * H),
        START + 5 * H,
        'unjustified',
      );
      const rated = log.fromA('s1', 'evaluation.rated', START + H, rating([5, 5, 5, 5]));
      log.rejection(rated, START + 2 * H, 'unjustified');

      const result = score(log);

      expect(result.indicators.Q).toMatchObject({ numeratorIds: ['m1', 'v1a', 't1c'] });
      expect(result.indicators.V.numeratorIds).toEqual(['v1']);
      expect(result.indicators.T.numeratorIds).toEqual(['t1']);
      expect(result.indicators.S.numeratorIds).toEqual(['s1']);
    });

    it('gives A nothing for the same answers rejected with a reason that holds', () => {
      const log = new Log();
      const v1 = log.fromA('v1', 'certificate.verify.requested', START);
      log.receipt(v1, START + H);
      const answer = log.reply(v1, 'v1a', 'certificate.verify.answered', START + 2 * H, {
        result: 'VALID',
      });
      log.rejection(answer, START + 3 * H, 'justified');
      const rated = log.fromA('s1', 'evaluation.rated', START + H, rating([5, 5, 5, 5]));
      log.rejection(rated, START + 2 * H, 'undecidable');

      const result = score(log);

      expect(result.indicators.V).toMatchObject({ numeratorIds: [], denominatorIds: ['v1'] });
      expect(result.indicators.S.items).toBe(0);
    });
  });

  it('takes each item’s SLA from the agreement, as in force when the item opened', () => {
    const amended = START + 30 * 24 * H;
    const long = { receiptHours: 48, responseHours: 240, taskHours: 720 };
    const slaFor = (agreementId: string | null, sentAt: number): Sla | undefined =>
      agreementId === 'ag-long'
        ? sentAt < amended
          ? long
          : { ...long, receiptHours: 12 }
        : undefined;
    const underLong = { agreementId: 'ag-long' };
    const log = new Log();
    log.receipt(log.fromA('n1', 'notice', START, underLong), START + 30 * H); // 48 h: on time
    log.receipt(log.fromA('n2', 'notice', START), START + 30 * H); // default 24 h: late
    log.receipt(log.fromA('n3', 'notice', amended, underLong), amended + 13 * H); // 12 h: late
    const v1 = log.fromA('v1', 'certificate.verify.requested', START, underLong);
    log.receipt(v1, START + H);
    log.reply(v1, 'v1a', 'certificate.verify.answered', START + 200 * H, { result: 'VALID' }); // 240 h
    const t1 = log.fromA('t1', 'task.requested', START, underLong);
    log.receipt(t1, START + H);
    log.reply(t1, 't1c', 'task.completed', START + 700 * H); // due after 720 h: on time
    const t2 = log.fromA('t2', 'task.requested', START);
    log.receipt(t2, START + H);
    log.reply(t2, 't2c', 'task.completed', START + 361 * H); // due after 360 h: late

    const result = score(log, { slaFor });

    // sent at the same instant, items list in id order
    expect(result.indicators.R).toMatchObject({
      numeratorIds: ['n1', 't1', 't2', 'v1'],
      denominatorIds: ['n1', 'n2', 't1', 't2', 'v1', 'n3'],
    });
    expect(result.indicators.V).toMatchObject({ numeratorIds: ['v1'], denominatorIds: ['v1'] });
    expect(result.indicators.T).toMatchObject({
      numeratorIds: ['t1'],
      denominatorIds: ['t1', 't2'],
    });
    // R = 4/6 (w 20), V = 1/1 (w 25), T = 1/2 (w 25); B's answers are not receipted yet: Q n/a
    // 100 × (40/3 + 25 + 25/2) / 70 = 100 × (305/6) / 70 = 72.619… → 72.62
    expect(result.indicators.Q.pendingIds).toEqual(['v1a', 't2c', 't1c']);
    expect(result.score).toBe(72.62);
  });

  describe('weights', () => {
    // R = 1/1, Q = 0/1
    const log = new Log();
    log.receipt(log.fromA('n1', 'notice', START), START + H);
    log.rejection(log.fromB('m1', 'notice', START), START + H);

    it('uses the pair’s weights instead of the defaults', () => {
      // default: 100 × 20 / (20 + 15) = 57.14; here 100 × 10 / (10 + 30) = 25
      const weights = { R: 10, V: 0, T: 0, Q: 30, S: 60 };
      const result = score(log, { weights });
      expect(result.score).toBe(25);
      expect(result.indicators.S).toMatchObject({ weight: 60, x: 'n/a' });
    });

    it('reads decimal weights as the decimals they are', () => {
      // 100 × 2.7 / (2.7 + 6.9) = 270 / 9.6 = 28.125 → 28.13; in doubles 28.124999999999996 → 28.12
      expect(score(log, { weights: { R: 2.7, V: 1, T: 1, Q: 6.9, S: 1 } }).score).toBe(28.13);
      expect(Math.round(((100 * 2.7) / (2.7 + 6.9)) * 100) / 100).toBe(28.12);
    });

    it('is n/a when every indicator with items weighs 0', () => {
      const result = score(log, { weights: { R: 0, V: 25, T: 25, Q: 0, S: 15 } });
      expect(result.score).toBe('n/a');
      expect(result.items).toBe(2);
    });

    it('refuses a negative or non-finite weight', () => {
      expect(() => score(log, { weights: { ...DEFAULT_WEIGHTS, Q: -1 } })).toThrow(RangeError);
      expect(() => score(log, { weights: { ...DEFAULT_WEIGHTS, S: Number.NaN } })).toThrow(
        RangeError,
      );
    });

    it('lets a campaign override the agreement, and the agreement the defaults', () => {
      const agreement: Weights = { R: 10, V: 10, T: 10, Q: 10, S: 10 };
      const campaign: Weights = { R: 50, V: 0, T: 0, Q: 50, S: 0 };
      expect(effectiveWeights({})).toEqual(DEFAULT_WEIGHTS);
      expect(effectiveWeights({ agreement })).toBe(agreement);
      expect(effectiveWeights({ agreement, campaign })).toBe(campaign);
    });
  });

  it('rounds half-up once, at the very end', () => {
    const log = new Log();
    const answers = [
      { id: 'v1', receipt: H, answer: 2 * H, result: 'VALID' },
      { id: 'v2', receipt: H, answer: 3 * H, result: 'INVALID' },
      { id: 'v3', receipt: 25 * H, answer: 121 * H, result: 'NOT_FOUND' }, // both late
    ];
    for (const { id, receipt, answer, result } of answers) {
      const request = log.fromA(id, 'certificate.verify.requested', START);
      log.receipt(request, START + receipt);
      log.reply(request, `${id}a`, 'certificate.verify.answered', START + answer, { result });
    }
    log.fromA('s1', 'evaluation.rated', END + H, rating([2, 2, 1, 1]));

    const result = score(log);

    // R = 2/3 (w 20), V = 2/3 (w 25), S = (1 + 1 + 0 + 0) / 16 = 1/8 (w 15); Q pending: n/a
    // exact: 100 × (20 × 2/3 + 25 × 2/3 + 15 × 1/8) / 60 = 100 × 31.875 / 60 = 53.125 → 53.13
    // rounding each x first (0.67, 0.67, 0.13): 100 × (13.4 + 16.75 + 1.95) / 60 = 53.50
    // in doubles the sum is 53.12499999999999 → 53.12
    expect(result.indicators.S).toMatchObject({ numerator: 2, denominator: 16, x: 0.125 });
    expect(result.score).toBe(53.13);
    expect(
      Math.round(((100 * (20 * (2 / 3) + 25 * (2 / 3) + 15 * (2 / 16))) / 60) * 100) / 100,
    ).toBe(53.12);
  });

  it('leaves out a task A cancelled before B answered', () => {
    const due = { payload: { dueAt: '2026-01-03T00:00:00Z' } }; // START + 48 h
    const log = new Log();
    log.fromA('t1', 'task.requested', START, due);
    log.fromA('t1x', 'task.cancelled', START + 10 * H, { correlationId: 't1' }); // unanswered
    const t2 = log.fromA('t2', 'task.requested', START, due);
    log.reply(t2, 't2c', 'task.completed', START + 5 * H);
    log.fromA('t2x', 'task.cancelled', START + 10 * H, { correlationId: 't2' }); // after the answer
    log.fromA('t3', 'task.requested', START, due);
    log.fromA('t3x', 'task.cancelled', START + 100 * H, { correlationId: 't3' }); // overdue, unanswered
    log.fromA('t4', 'task.requested', START, due);
    log.fromA('t4x', 'task.cancelled', LATER + H, { correlationId: 't4' }); // after as-of
    log.fromA('t5', 'task.requested', START, due);
    const t5x = log.fromA('t5x', 'task.cancelled', START + 10 * H, { correlationId: 't5' });
    log.rejection(t5x, START + 11 * H); // B refused the cancel: the task stands

    const result = score(log);

    // t1 and t3 left out; t2 on time; t4 and t5 decided late at their due date: T = 1/3
    expect(result.indicators.T).toMatchObject({
      numeratorIds: ['t2'],
      denominatorIds: ['t2', 't4', 't5'],
      pendingIds: [],
    });
  });

  it('decides a rejected task as not completed; acceptance decides nothing', () => {
    const sent = START + H;
    const dueAt = '2026-01-03T01:00:00Z'; // sent + 48 h
    const due = sent + 48 * H;
    const log = new Log();
    const task = (id: string, payload: Record<string, unknown> = { dueAt }) =>
      log.fromA(id, 'task.requested', sent, { payload });
    log.reply(task('t1'), 't1r', 'task.rejected', sent + H);
    log.reply(task('t2'), 't2c', 'task.completed', due - 1);
    log.reply(task('t3'), 't3c', 'task.completed', due);
    log.reply(task('t4'), 't4c', 'task.completed', due + 1);
    log.reply(task('t5'), 't5a', 'task.accepted', sent + H);
    log.reply(task('t6', {}), 't6c', 'task.completed', sent + 360 * H); // default: sent + 360 h
    log.reply(task('t7', {}), 't7c', 'task.completed', sent + 360 * H + 1);

    const result = score(log);

    // on time: t2, t3, t6 of 7 decided
    expect(result.indicators.T).toMatchObject({
      numeratorIds: ['t2', 't3', 't6'],
      denominatorIds: ['t1', 't2', 't3', 't4', 't5', 't6', 't7'],
    });
  });

  it('counts any verification answer; late ones and missing ones are not on time', () => {
    const log = new Log();
    const verify = (id: string) => log.fromA(id, 'certificate.verify.requested', START);
    log.reply(verify('v1'), 'v1a', 'certificate.verify.answered', START + H, { result: 'INVALID' });
    log.reply(verify('v2'), 'v2a', 'certificate.verify.answered', START + 120 * H, {
      result: 'NOT_FOUND',
    });
    log.reply(verify('v3'), 'v3a', 'certificate.verify.answered', START + 120 * H + 1, {
      result: 'EXPIRED',
    });
    verify('v4'); // never answered
    log.reply(verify('v5'), 'v5a', 'certificate.verify.answered', START + 200 * H, {
      result: 'VALID',
    });
    log.rejection(verify('v6'), START + H); // B refused the request itself

    const result = score(log);

    expect(result.indicators.V).toMatchObject({
      numeratorIds: ['v1', 'v2'],
      denominatorIds: ['v1', 'v2', 'v3', 'v4', 'v5'],
    });
    // a request B rightly refused is no R item either
    expect(result.indicators.R.denominatorIds).not.toContain('v6');
  });

  it('takes the latest rating for exactly the period that arrived by as-of', () => {
    const log = new Log();
    log.fromA('s1', 'evaluation.rated', END + H, rating([5, 5, 5, 5]));
    log.fromA('s2', 'evaluation.rated', END + 2 * H, rating([4, 3, 2, 1]));
    log.fromA('s3', 'evaluation.rated', END + 3 * H, rating([1, 1, 1, 1], '2026-04-02T00:00:00Z'));
    const refused = log.fromA('s4', 'evaluation.rated', END + 3 * H, rating([1, 1, 1, 1]));
    log.rejection(refused, END + 3 * H + 1);
    log.fromA('s5', 'evaluation.rated', END + 5 * H, rating([1, 1, 1, 1]));
    log.fromB('s6', 'evaluation.rated', END + 3 * H, rating([1, 1, 1, 1])); // B rates A

    // as of END + 4 h: s2 (s3 rates another period, s4 was refused, s5 arrives later)
    // S = (3 + 2 + 1 + 0) / 16 = 0.375, alone: 100 × 0.375 = 37.5
    const result = score(log, { asOf: END + 4 * H });
    expect(result.indicators.S).toMatchObject({
      items: 1,
      numerator: 6,
      denominator: 16,
      x: 0.375,
      numeratorIds: ['s2'],
      denominatorIds: ['s2'],
    });
    expect(result.score).toBe(37.5);
    // the ratings were sent after the period: they are no R items of it
    expect(result.indicators.R.x).toBe('n/a');

    expect(score(log, { asOf: END + H + H / 2 }).score).toBe(100); // s1: (4 × 4) / 16
    expect(score(log, { asOf: END + 5 * H }).score).toBe(0); // s5: 0 / 16
  });

  it('counts a redelivered envelope once, at its first record, and the first of several answers', () => {
    const log = new Log();
    log.add('n1', 'notice', A, B, END + 2 * H); // the relay re-sent n1 after a crash…
    const n1 = log.fromA('n1', 'notice', END - H); // …whose first record is in the period
    log.receipt(n1, END);
    const m1 = log.fromB('m1', 'notice', START);
    log.receipt(m1, START + H);
    log.rejection(m1, START + 2 * H);
    const t1 = log.fromA('t1', 'task.requested', START);
    log.reply(t1, 't1c', 'task.completed', START + H);
    log.reply(t1, 't1c2', 'task.completed', START + 400 * H);
    log.reply(t1, 't1r', 'task.rejected', START + 2 * H);

    const result = score(log);

    // t1 has no receipt: late
    expect(result.indicators.R).toMatchObject({
      numeratorIds: ['n1'],
      denominatorIds: ['t1', 'n1'],
    });
    expect(result.indicators.Q.numeratorIds).toContain('m1');
    expect(result.indicators.T).toMatchObject({ numeratorIds: ['t1'], denominatorIds: ['t1'] });
  });

  it('takes an item into the period its opening message was sent in, [start, end)', () => {
    const log = new Log();
    for (const [id, at] of [
      ['before', START - 1],
      ['first', START],
      ['last', END - 1],
      ['after', END],
    ] as const) {
      log.receipt(log.fromA(`n-${id}`, 'notice', at), at + H);
      log.receipt(log.fromB(`m-${id}`, 'notice', at), at + H);
    }

    const result = score(log);

    expect(result.indicators.R.denominatorIds).toEqual(['n-first', 'n-last']);
    expect(result.indicators.Q.denominatorIds).toEqual(['m-first', 'm-last']);
  });

  it('gives the same figures whatever the order of the records', () => {
    const log = new Log();
    log.receipt(log.fromA('n1', 'notice', START), START + 25 * H);
    log.receipt(log.fromA('n2', 'notice', START), START + H);
    const t1 = log.fromA('t1', 'task.requested', START);
    log.reply(t1, 't1r', 'task.rejected', START + H);
    log.reply(t1, 't1c', 'task.completed', START + H); // same instant: the lower id, t1c, is first
    log.rejection(log.fromB('m1', 'notice', START), START + H);

    const forward = score(log);
    const backward = score(log, { records: [...log.records].reverse() });

    expect(backward).toEqual(forward);
    expect(forward.indicators.T.numeratorIds).toEqual(['t1']);
    // R = 1/3 (t1 has no receipt), T = 1/1, Q = 0/1: 100 × (20/3 + 25) / 60 = 52.777… → 52.78
    expect(forward.score).toBe(52.78);
  });

  it('ignores answers with no request, in the wrong direction, and other pairs’ messages', () => {
    const log = new Log();
    log.fromB('x1', 'task.completed', START + H, { correlationId: 'no-such-task' });
    log.fromA('t1', 'task.requested', START);
    log.fromA('t1c', 'task.completed', START + H, { correlationId: 't1' }); // A cannot answer for B
    log.add('t1/receipt', 'receipt', A, B, START + H, { payload: { messageId: 't1' } }); // nor receipt
    log.add('c1', 'notice', A, C, START);
    log.add('c1/receipt', 'receipt', C, A, START + H, { payload: { messageId: 'c1' } });

    const result = score(log);

    expect(result.indicators.T).toMatchObject({ numeratorIds: [], denominatorIds: ['t1'] });
    expect(result.indicators.R).toMatchObject({ numeratorIds: [], denominatorIds: ['t1', 't1c'] });
    // B's unmatched answer is still a message of B's that A must answer: pending in Q
    expect(result.indicators.Q.pendingIds).toEqual(['x1']);
  });

  it('refuses what it cannot score', () => {
    const log = new Log();
    expect(() => score(log, { asOf: END - 1 })).toThrow(/as-of/);
    expect(() => score(log, { evaluated: A })).toThrow(/itself/);
    expect(() => score(log, { period: { start: END, end: END } })).toThrow(/before its end/);
  });
});

describe('scoreCampaign', () => {
  // A → B: R = 1/1, Q = 0/1; B → A: Q = 1/1 (R: A rightly rejected m1, left out); C: nothing
  const log = new Log();
  log.receipt(log.fromA('n1', 'notice', START), START + H);
  log.rejection(log.fromB('m1', 'notice', START), START + H);
  const agreementWeights = (evaluator: string, evaluated: string): Weights | undefined =>
    evaluator === A && evaluated === B ? { R: 10, V: 0, T: 0, Q: 30, S: 0 } : undefined;
  const base = { participants: [A, B, C], period, asOf: LATER, records: log.records };

  it('scores every ordered pair with the agreement’s weights', () => {
    const { pairs } = scoreCampaign({ ...base, agreementWeights });

    expect(pairs.map((p) => `${p.evaluator}→${p.evaluated}`)).toEqual([
      `${A}→${B}`,
      `${A}→${C}`,
      `${B}→${A}`,
      `${B}→${C}`,
      `${C}→${A}`,
      `${C}→${B}`,
    ]);
    // A → B: 100 × 10 / (10 + 30) = 25
    expect(pairs[0].score).toBe(25);
    // B → A, default weights: Q = 1/1 (B receipted n1): 100
    expect(pairs[2]).toMatchObject({ score: 100, items: 1 });
    expect(pairs.filter((p) => p.evaluated === C).every((p) => p.score === 'n/a')).toBe(true);
  });

  it('applies the campaign’s weights to every pair instead', () => {
    const campaign = { R: 50, V: 0, T: 0, Q: 50, S: 0 };
    const { pairs, ranking } = scoreCampaign({ ...base, agreementWeights, weights: campaign });

    // A → B: 100 × (50 × 1 + 50 × 0) / 100 = 50; B → A: 100
    expect(pairs[0].score).toBe(50);
    expect(pairs.every((p) => p.indicators.R.weight === 50)).toBe(true);
    expect(ranking).toEqual([
      { node: A, rank: 1, score: 100, exactScore: '100/1', items: 1, scoredBy: [B] },
      { node: B, rank: 2, score: 50, exactScore: '50/1', items: 2, scoredBy: [A] },
      { node: C, rank: 3, score: 'n/a', exactScore: null, items: 0, scoredBy: [] },
    ]);
  });
});
