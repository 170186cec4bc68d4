import { v7 as uuidv7 } from 'uuid';
import { AgreementTermsV1 } from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url } from '@yipanqi/crypto';
import { VerifiedMessage } from '../verify/log-verifier';
import { scoringLog } from '../scoring/scoring-log';
import { recomputeScores } from './pair-scores';

const HUIZHOU = '441300';
const YIBIN = '511500';
const HOUR = 3600_000;
const START = Date.UTC(2026, 0, 1);
const SIGNATURE = 'A'.repeat(86);

let clock = START;
function message(
  from: string,
  to: string,
  type: string,
  payload: Record<string, unknown>,
  over: Partial<VerifiedMessage> = {},
): VerifiedMessage {
  clock += 60_000;
  return {
    id: uuidv7(),
    type,
    v: 1,
    from,
    to,
    agreementId: null,
    correlationId: null,
    causationId: null,
    brokerTime: clock,
    payload,
    piiForm: 'none',
    ...over,
  };
}

function terms(agreementId: string, version: number, receiptHours: number): AgreementTermsV1 {
  return {
    agreementId,
    version,
    inflow: HUIZHOU,
    outflow: YIBIN,
    scope: ['publicity'],
    sla: { receiptHours, responseHours: 120, taskHours: 360 },
    weights: { R: 40, V: 25, T: 25, Q: 10, S: 0 },
    termStart: '2026-01-01T00:00:00Z',
    termEnd: '2029-01-01T00:00:00Z',
    contacts: [],
  };
}

/** Huizhou offers `text`, Yibin countersigns it: both messages as the log holds them. */
function agreed(text: AgreementTermsV1, hash = sha256Base64url(canonicalJson(text))) {
  const type = text.version === 1 ? 'agreement.proposed' : 'agreement.amended';
  const offer = message(HUIZHOU, YIBIN, type, { terms: text, hash, signature: SIGNATURE });
  const countersigned = message(YIBIN, HUIZHOU, 'agreement.countersigned', {
    agreementId: text.agreementId,
    version: text.version,
    hash: sha256Base64url(canonicalJson(text)),
    signature: SIGNATURE,
  });
  const receipts = [
    message(YIBIN, HUIZHOU, 'receipt', { messageId: offer.id }, { causationId: offer.id }),
    message(HUIZHOU, YIBIN, 'receipt', { messageId: countersigned.id }),
  ];
  return { offer, countersigned, receipts };
}

describe('AgreementHistory', () => {
  it('puts a version in force at the broker time of its countersignature, until the next one', () => {
    const id = uuidv7();
    const v1 = agreed(terms(id, 1, 48));
    const v2 = agreed(terms(id, 2, 12));
    const book = scoringLog([v1.offer, v1.countersigned, v2.offer, v2.countersigned]).history;
    expect(book.termsAt(id, v1.countersigned.brokerTime - 1)).toBeUndefined();
    expect(book.termsAt(id, v1.countersigned.brokerTime)?.version).toBe(1);
    expect(book.slaFor(id, v2.offer.brokerTime, [HUIZHOU, YIBIN])?.receiptHours).toBe(48);
    expect(book.slaFor(id, v2.countersigned.brokerTime, [HUIZHOU, YIBIN])?.receiptHours).toBe(12);
    expect(book.weightsFor(YIBIN, HUIZHOU, clock)).toEqual({ R: 40, V: 25, T: 25, Q: 10, S: 0 });
  });

  it('ignores a countersignature of a text nobody offered, or by the offering side', () => {
    const id = uuidv7();
    const text = terms(id, 1, 48);
    const forgedHash = agreed(text, 'x'.repeat(43));
    expect(
      scoringLog([forgedHash.offer, forgedHash.countersigned]).history.termsAt(id, clock),
    ).toBe(undefined);
    const { offer } = agreed(text);
    const self = message(HUIZHOU, YIBIN, 'agreement.countersigned', {
      agreementId: id,
      version: 1,
      hash: sha256Base64url(canonicalJson(text)),
      signature: SIGNATURE,
    });
    expect(scoringLog([offer, self]).history.termsAt(id, clock)).toBeUndefined();
  });
});

describe('recomputeScores', () => {
  /** Two notices Huizhou → Yibin in the period: one receipted after 1 h, one after 30 h. */
  function exchange(agreementId: string | null) {
    const messages: VerifiedMessage[] = [];
    for (const delay of [1, 30]) {
      const notice = message(HUIZHOU, YIBIN, 'notice', { category: 'policy' }, { agreementId });
      messages.push(
        notice,
        message(
          YIBIN,
          HUIZHOU,
          'receipt',
          { messageId: notice.id },
          { brokerTime: notice.brokerTime + delay * HOUR, causationId: notice.id },
        ),
      );
    }
    return messages;
  }
  const period = { start: START, end: START + 30 * 24 * HOUR };
  const asOf = period.end + 24 * HOUR;

  it('scores both directions of every pair with the default SLA without an agreement', () => {
    const { pairs } = recomputeScores(exchange(null), period, asOf);
    expect(pairs.map((p) => [p.evaluator, p.evaluated, p.score])).toEqual([
      [HUIZHOU, YIBIN, 50], // R: the 30 h receipt is late against 24 h
      [YIBIN, HUIZHOU, 100], // Q: both notices receipted
    ]);
    expect(pairs[0].indicators.R).toMatchObject({ numerator: 1, denominator: 2 });
  });

  it('uses the SLA of the agreement in force when each message was sent', () => {
    const id = uuidv7();
    const { offer, countersigned, receipts } = agreed(terms(id, 1, 48));
    const log = [offer, countersigned, ...receipts, ...exchange(id)];
    const { pairs } = recomputeScores(log, period, asOf);
    const huizhouScoresYibin = pairs.find((p) => p.evaluator === HUIZHOU);
    // the proposal and both notices receipted in time: 30 h is within the agreed 48 h
    expect(huizhouScoresYibin?.indicators.R).toMatchObject({ numerator: 3, denominator: 3 });
    expect(huizhouScoresYibin?.indicators.R.weight).toBe(40);
  });
});
