import { AgreementTermsV1 } from '@yipanqi/contracts';
import { DEFAULT_WEIGHTS, LogRecord, scorePair } from '@yipanqi/evaluation';
import { AgreementText, AgreementTimeline, pairWeights } from './agreement-terms';

const HUIZHOU = '441300';
const YIBIN = '511500';
const SHENZHEN = '440300';
const FIRST = '0192f3c4-0000-7000-8000-0000000000a1';
const SECOND = '0192f3c4-0000-7000-8000-0000000000a2';
const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

function text(
  agreementId: string,
  version: number,
  changes: Partial<AgreementTermsV1> = {},
): AgreementText {
  return {
    hash: `hash-${agreementId}-${version}`,
    terms: {
      agreementId,
      version,
      inflow: HUIZHOU,
      outflow: YIBIN,
      scope: ['information-exchange'],
      sla: { receiptHours: 24, responseHours: 120, taskHours: 360 },
      weights: { R: 20, V: 25, T: 25, Q: 15, S: 15 },
      termStart: '2025-12-31T16:00:00Z',
      termEnd: '2035-12-31T16:00:00Z',
      contacts: [],
      ...changes,
    },
  };
}

let counter = 0;

function record(type: string, from: string, to: string, at: number, payload = {}): LogRecord {
  counter++;
  return {
    id: `0192f3c4-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    type,
    from,
    to,
    agreementId: FIRST,
    correlationId: null,
    causationId: null,
    brokerTime: at,
    payload,
  };
}

/** The countersignature of `t` in the log, by the outflow node, at `at`. */
function countersigned(t: AgreementText, at: number): LogRecord {
  const { agreementId, version } = t.terms;
  return record('agreement.countersigned', t.terms.outflow, t.terms.inflow, at, {
    agreementId,
    version,
    hash: t.hash,
    signature: 'sig',
  });
}

describe('agreement terms for scoring', () => {
  const v1 = text(FIRST, 1, { sla: { receiptHours: 48, responseHours: 72, taskHours: 240 } });
  const v2 = text(FIRST, 2, {
    sla: { receiptHours: 2, responseHours: 8, taskHours: 100 },
    weights: { R: 50, V: 10, T: 10, Q: 10, S: 20 },
  });

  it('applies each version from the broker time of its countersignature', () => {
    const timeline = new AgreementTimeline(
      [v2, v1],
      [countersigned(v1, T0 + H), countersigned(v2, T0 + 10 * H)],
    );
    expect(timeline.slaFor(FIRST, T0)).toBeUndefined(); // the proposal: not in force yet
    expect(timeline.slaFor(FIRST, T0 + H)).toEqual(v1.terms.sla);
    expect(timeline.slaFor(FIRST, T0 + 10 * H - 1)).toEqual(v1.terms.sla);
    expect(timeline.slaFor(FIRST, T0 + 10 * H)).toEqual(v2.terms.sla);
    expect(timeline.slaFor(null, T0 + 20 * H)).toBeUndefined();
    expect(timeline.slaFor(SECOND, T0 + 20 * H)).toBeUndefined();
  });

  it('puts nothing in force that the log does not show countersigned, or that was refused', () => {
    const offered = text(FIRST, 3, { sla: { receiptHours: 1, responseHours: 1, taskHours: 1 } });
    const other = { ...offered, hash: 'hash-of-a-crossing-offer' };
    const refused = countersigned(offered, T0 + 30 * H);
    const rejection = record('rejection', HUIZHOU, YIBIN, T0 + 31 * H, {
      messageId: refused.id,
      reason: 'SCHEMA_INVALID',
    });
    const timeline = new AgreementTimeline(
      [v1, v2, offered],
      [countersigned(v1, T0 + H), countersigned(other, T0 + 20 * H), refused, rejection],
    );
    expect(timeline.slaFor(FIRST, T0 + 40 * H)).toEqual(v1.terms.sla);
  });

  it('gives items opened before an amendment the old deadlines and later ones the new', () => {
    const timeline = new AgreementTimeline(
      [v1, v2],
      [countersigned(v1, T0 + H), countersigned(v2, T0 + 10 * H)],
    );
    // two notices, each receipted 3 h after it was sent: late only under v2's 2 h
    const before = record('notice', HUIZHOU, YIBIN, T0 + 5 * H);
    const after = record('notice', HUIZHOU, YIBIN, T0 + 11 * H);
    const receipts = [before, after].map((m) =>
      record('receipt', YIBIN, HUIZHOU, m.brokerTime + 3 * H, { messageId: m.id }),
    );
    const score = scorePair({
      evaluator: HUIZHOU,
      evaluated: YIBIN,
      period: { start: T0 + 2 * H, end: T0 + 12 * H },
      asOf: T0 + 100 * H,
      records: [before, after, ...receipts],
      slaFor: timeline.slaFor,
    });
    expect(score.indicators.R).toMatchObject({
      numeratorIds: [before.id],
      denominatorIds: [before.id, after.id],
    });
  });

  it('weighs a pair by the text in force at the period end', () => {
    const timeline = new AgreementTimeline(
      [v1, v2],
      [countersigned(v1, T0 + H), countersigned(v2, T0 + 10 * H)],
    );
    expect(pairWeights(timeline, HUIZHOU, YIBIN, T0 + 10 * H - 1)).toEqual({
      weights: v1.terms.weights,
      agreementId: FIRST,
      version: 1,
    });
    expect(pairWeights(timeline, YIBIN, HUIZHOU, T0 + 10 * H)).toEqual({
      weights: v2.terms.weights,
      agreementId: FIRST,
      version: 2,
    });
    expect(pairWeights(timeline, HUIZHOU, YIBIN, T0)).toEqual({
      weights: DEFAULT_WEIGHTS,
      agreementId: null,
      version: null,
    });
    expect(pairWeights(timeline, HUIZHOU, SHENZHEN, T0 + 20 * H).agreementId).toBeNull();
  });

  it('takes the agreement countersigned last when a pair holds several', () => {
    const fees = text(SECOND, 1, {
      scope: ['fee-collection'],
      weights: { R: 1, V: 1, T: 1, Q: 1, S: 1 },
    });
    const timeline = new AgreementTimeline(
      [v1, fees],
      [countersigned(v1, T0 + H), countersigned(fees, T0 + 2 * H)],
    );
    expect(pairWeights(timeline, HUIZHOU, YIBIN, T0 + 3 * H).agreementId).toBe(SECOND);
    // the SLA still follows the agreement each message names
    expect(timeline.slaFor(FIRST, T0 + 3 * H)).toEqual(v1.terms.sla);
  });
});
