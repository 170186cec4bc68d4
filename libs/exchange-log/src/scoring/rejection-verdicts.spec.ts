import { v7 as uuidv7 } from 'uuid';
import { AgreementTermsV1 } from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url } from '@yipanqi/crypto';
import { LogRecord, readablePayload } from '@yipanqi/evaluation';
import { JudgeableRecord } from './rejection-verdicts';
import { scoringLog } from './scoring-log';

const HUIZHOU = '441300'; // inflow
const YIBIN = '511500'; // outflow
const START = Date.UTC(2026, 0, 5);
const SIGNATURE = 'A'.repeat(86);
const JWE = 'eyJhbGciOiJFQ0RILUVTIn0.AAAA.AAAA.AAAA.AAAA';

let clock = START;
/** A record at the next minute; its UUIDv7 carries that minute too. */
function record(
  from: string,
  to: string,
  type: string,
  payload: Record<string, unknown>,
  over: Partial<JudgeableRecord> = {},
): JudgeableRecord {
  clock += 60_000;
  return {
    id: uuidv7({ msecs: clock }),
    type,
    v: 1,
    from,
    to,
    agreementId: null,
    correlationId: null,
    causationId: null,
    brokerTime: clock,
    payload,
    piiForm: 'pii' in payload ? 'jwe' : 'none',
    ...over,
  };
}

/** The record as a reader holds it: its `pii` dropped, its form kept. */
function strip(r: JudgeableRecord): JudgeableRecord {
  return { ...r, payload: readablePayload(r.payload) };
}

function terms(agreementId: string, version: number, scope: string[]): AgreementTermsV1 {
  return {
    agreementId,
    version,
    inflow: HUIZHOU,
    outflow: YIBIN,
    scope: scope as AgreementTermsV1['scope'],
    sla: { receiptHours: 24, responseHours: 120, taskHours: 360 },
    weights: { R: 20, V: 25, T: 25, Q: 15, S: 15 },
    termStart: '2026-01-01T00:00:00Z',
    termEnd: '2029-01-01T00:00:00Z',
    contacts: [],
  };
}

/** Huizhou offers, Yibin countersigns: the agreement is active from the countersignature. */
function agreement(id: string, version = 1, scope = ['marriage-certificate', 'publicity']) {
  const text = terms(id, version, scope);
  const hash = sha256Base64url(canonicalJson(text));
  const type = version === 1 ? 'agreement.proposed' : 'agreement.amended';
  const offer = record(HUIZHOU, YIBIN, type, { terms: text, hash, signature: SIGNATURE });
  const countersigned = record(YIBIN, HUIZHOU, 'agreement.countersigned', {
    agreementId: id,
    version,
    hash,
    signature: SIGNATURE,
  });
  return [offer, countersigned];
}

function rejection(of: LogRecord, reason: string, detail = 'refused') {
  return record(of.to, of.from, 'rejection', {
    messageId: of.id,
    messageHash: 'h'.repeat(43),
    brokerTime: of.brokerTime,
    reason,
    detail,
  });
}

function verdictOf(records: JudgeableRecord[], rejectionId: string) {
  return scoringLog(records).rejections.find((r) => r.rejectionId === rejectionId);
}

function rated(agreementId: string | null) {
  return record(
    HUIZHOU,
    YIBIN,
    'evaluation.rated',
    {
      periodStart: '2026-01-01T00:00:00Z',
      periodEnd: '2026-02-01T00:00:00Z',
      criteria: { responsiveness: 4, dataQuality: 4, cooperation: 4, serviceQuality: 4 },
    },
    { agreementId },
  );
}

describe('rejection verdicts', () => {
  it('a NO_AGREEMENT rejection holds without an agreement and not under an active one', () => {
    const id = uuidv7();
    const before = rated(id);
    const early = rejection(before, 'NO_AGREEMENT');
    const log = [before, early, ...agreement(id)];
    const after = rated(id);
    const late = rejection(after, 'NO_AGREEMENT');
    log.push(after, late);

    expect(verdictOf(log, early.id)).toMatchObject({ verdict: 'justified', by: YIBIN });
    expect(verdictOf(log, late.id)).toMatchObject({
      verdict: 'unjustified',
      messageId: after.id,
      why: 'every check of the log passes',
    });
  });

  it('an AGREEMENT_INACTIVE rejection holds once the rejecting side suspended, from when it did', () => {
    const id = uuidv7();
    const log = [...agreement(id)];
    const suspension = record(YIBIN, HUIZHOU, 'agreement.suspended', {
      agreementId: id,
      reason: 'review',
    });
    // Huizhou's rating reached Yibin's inbox before the suspension reached Huizhou's
    const crossing = rated(id);
    crossing.brokerTime = suspension.brokerTime - 1;
    const refused = rejection(crossing, 'AGREEMENT_INACTIVE');
    log.push(suspension, crossing, refused);
    // the suspension took effect for Yibin when it made it (its UUIDv7 time), before the rating
    suspension.id = uuidv7({ msecs: suspension.brokerTime - 5 });

    expect(verdictOf(log, refused.id)?.verdict).toBe('justified');
    const history = scoringLog(log).history;
    expect(history.stateFor(id, YIBIN, crossing.brokerTime)?.status).toBe('suspended');
    expect(history.stateFor(id, HUIZHOU, crossing.brokerTime)?.status).toBe('active');
  });

  it('an OUT_OF_SCOPE rejection holds for a domain outside the agreement, not for one inside', () => {
    const id = uuidv7();
    const log = [...agreement(id, 1, ['publicity'])];
    const request = (domain: string) =>
      record(
        HUIZHOU,
        YIBIN,
        'task.requested',
        { kind: 'investigation', domain, dueAt: '2026-03-01T00:00:00Z', pii: JWE },
        { agreementId: id },
      );
    const outside = request('maternal-care');
    const inside = request('publicity');
    outside.correlationId = outside.id;
    inside.correlationId = inside.id;
    const r1 = rejection(outside, 'OUT_OF_SCOPE');
    const r2 = rejection(inside, 'OUT_OF_SCOPE');
    log.push(outside, r1, inside, r2);

    expect(verdictOf(log.map(strip), r1.id)?.verdict).toBe('justified');
    expect(verdictOf(log.map(strip), r2.id)?.verdict).toBe('unjustified');
  });

  it('judges a refused verification answer by the thread: unknown request or already answered', () => {
    const id = uuidv7();
    const log = [...agreement(id)];
    const verificationId = uuidv7();
    const request = record(
      HUIZHOU,
      YIBIN,
      'certificate.verify.requested',
      { verificationId, pii: JWE },
      { agreementId: id, correlationId: verificationId },
    );
    const answer = (over: Partial<JudgeableRecord> = {}) =>
      record(
        YIBIN,
        HUIZHOU,
        'certificate.verify.answered',
        { verificationId, result: 'VALID', answeredBy: 'automatic' },
        { agreementId: id, correlationId: verificationId, causationId: request.id, ...over },
      );
    const stray = answer({ correlationId: uuidv7() });
    const first = answer();
    const second = answer();
    const r0 = rejection(stray, 'SCHEMA_INVALID', 'no such verification');
    const r1 = rejection(first, 'SCHEMA_INVALID', 'no such verification');
    const r2 = rejection(second, 'SCHEMA_INVALID', 'already answered');
    // Huizhou rejects the first answer unjustifiably: it counts as applied, so a second one is a repeat
    log.push(request, stray, r0, first, r1, second, r2);

    const stripped = log.map(strip);
    expect(verdictOf(stripped, r0.id)?.verdict).toBe('justified');
    expect(verdictOf(stripped, r1.id)?.verdict).toBe('unjustified');
    expect(verdictOf(stripped, r2.id)?.verdict).toBe('justified');
  });

  it('cannot decide what only the recipient can read, and says so', () => {
    const id = uuidv7();
    const log = [...agreement(id)];
    const task = record(
      HUIZHOU,
      YIBIN,
      'task.requested',
      { kind: 'investigation', domain: 'publicity', dueAt: '2026-03-01T00:00:00Z', pii: JWE },
      { agreementId: id },
    );
    task.correlationId = task.id;
    const decrypt = rejection(task, 'DECRYPT_FAILED');
    const pii = rejection(task, 'SCHEMA_INVALID', 'pii.subject: must be a person');
    const rating = rated(id);
    const nothingEncrypted = rejection(rating, 'DECRYPT_FAILED');
    log.push(task, decrypt, pii, rating, nothingEncrypted);

    const stripped = log.map(strip);
    expect(verdictOf(stripped, decrypt.id)?.verdict).toBe('undecidable');
    expect(verdictOf(stripped, pii.id)?.verdict).toBe('undecidable');
    expect(verdictOf(stripped, nothingEncrypted.id)?.verdict).toBe('unjustified');
  });

  it('takes a stream reason’s verdict from the stream walk, else leaves it undecidable', () => {
    const notice = rated(null);
    const gap = rejection(notice, 'SEQ_GAP');
    expect(verdictOf([notice, gap], gap.id)?.verdict).toBe('undecidable');
    expect(verdictOf([notice, { ...gap, streamVerdict: 'unjustified' }], gap.id)?.verdict).toBe(
      'unjustified',
    );
  });

  it('holds a rejection of a malformed payload justified whatever reason it names', () => {
    const id = uuidv7();
    const bad = { ...rated(id), payload: { periodStart: 'yesterday' } };
    const r = rejection(bad, 'NO_AGREEMENT');
    expect(verdictOf([...agreement(id), bad, r], r.id)?.verdict).toBe('justified');
  });
});

describe('AgreementHistory', () => {
  it('puts nothing in force by a countersignature the proposer rejected', () => {
    const id = uuidv7();
    const [offer, countersigned] = agreement(id);
    const refused = rejection(countersigned, 'SCHEMA_INVALID', 'no such offer');
    const history = scoringLog([offer, countersigned, refused]).history;
    expect(history.termsAt(id, clock)).toBeUndefined();
    expect(history.weightsFor(HUIZHOU, YIBIN, clock)).toBeUndefined();
    expect(history.stateFor(id, HUIZHOU, clock)?.status).toBe('proposed');
  });

  it('of crossing offers, takes the text that was countersigned', () => {
    const id = uuidv7();
    const ours = terms(id, 1, ['publicity']);
    const theirs = {
      ...terms(id, 1, ['maternal-care']),
      weights: { R: 1, V: 1, T: 1, Q: 1, S: 1 },
    };
    const hash = (t: AgreementTermsV1) => sha256Base64url(canonicalJson(t));
    const log = [
      record(HUIZHOU, YIBIN, 'agreement.proposed', {
        terms: ours,
        hash: hash(ours),
        signature: SIGNATURE,
      }),
      record(YIBIN, HUIZHOU, 'agreement.proposed', {
        terms: theirs,
        hash: hash(theirs),
        signature: SIGNATURE,
      }),
      record(YIBIN, HUIZHOU, 'agreement.countersigned', {
        agreementId: id,
        version: 1,
        hash: hash(ours),
        signature: SIGNATURE,
      }),
    ];
    expect(scoringLog(log).history.termsAt(id, clock)?.scope).toEqual(['publicity']);
  });

  it('breaks a tie between two agreements countersigned at once by the lower agreement id', () => {
    const [low, high] = [uuidv7(), uuidv7()].sort();
    const a = agreement(high);
    const b = agreement(low);
    b[0].brokerTime = a[0].brokerTime;
    b[1].brokerTime = a[1].brokerTime;
    const history = scoringLog([...a, ...b]).history;
    expect(history.pairTermsAt(YIBIN, HUIZHOU, clock)?.agreementId).toBe(low);
  });
});
