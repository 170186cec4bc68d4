import { AgreementTermsV1 } from '@yipanqi/contracts';
import {
  automaticResult,
  certificateNumber,
  isOverdue,
  normaliseCertificateNumber,
  senderRoleProblem,
  validityProblem,
  validityWindow,
  verificationDueAt,
} from './certificate-rules';

const certificate = { validFrom: '2026-03-01', validUntil: '2026-08-31' };
// 2026-03-01 00:00 and 2026-09-01 00:00 China Standard Time
const FIRST_INSTANT = Date.parse('2026-02-28T16:00:00Z');
const END_INSTANT = Date.parse('2026-08-31T16:00:00Z');

describe('certificate validity', () => {
  it('runs from the first day 00:00 to the end of the last day, China Standard Time', () => {
    expect(validityWindow(certificate)).toEqual({ start: FIRST_INSTANT, end: END_INSTANT });
  });

  it('allows a certificate valid for one day, not one that ends before it starts', () => {
    expect(validityProblem({ validFrom: '2026-03-01', validUntil: '2026-03-01' })).toBeUndefined();
    expect(validityProblem({ validFrom: '2026-03-02', validUntil: '2026-03-01' })).toMatch(
      /validUntil/,
    );
  });
});

describe('automatic answer to a verification', () => {
  it.each([
    ['the last millisecond before the first day', FIRST_INSTANT - 1, 'INVALID'],
    ['the first instant of the first day', FIRST_INSTANT, 'VALID'],
    ['the middle of the validity', Date.parse('2026-06-01T12:00:00+08:00'), 'VALID'],
    ['the last millisecond of the last day', END_INSTANT - 1, 'VALID'],
    ['the first instant after the last day', END_INSTANT, 'EXPIRED'],
    ['a year later', END_INSTANT + 365 * 86_400_000, 'EXPIRED'],
  ])('with the right holder at %s → %s', (_when, at, result) => {
    expect(automaticResult(certificate, true, at)).toBe(result);
  });

  it('answers INVALID for another holder, even when the certificate is in force or expired', () => {
    expect(automaticResult(certificate, false, FIRST_INSTANT)).toBe('INVALID');
    expect(automaticResult(certificate, false, END_INSTANT)).toBe('INVALID');
  });

  it('leaves an unknown number to staff', () => {
    expect(automaticResult(undefined, false, FIRST_INSTANT)).toBeUndefined();
  });
});

describe('verification due time', () => {
  const requested = Date.parse('2026-03-02T10:00:00Z');

  it('is the broker time of the request plus the response SLA in hours', () => {
    expect(verificationDueAt(requested, 120)).toBe(Date.parse('2026-03-07T10:00:00Z'));
    expect(verificationDueAt(requested, 1)).toBe(Date.parse('2026-03-02T11:00:00Z'));
  });

  it('is overdue only after the due time: an answer at the due time is on time', () => {
    const due = verificationDueAt(requested, 120);
    expect(isOverdue(due, due - 1)).toBe(false);
    expect(isOverdue(due, due)).toBe(false);
    expect(isOverdue(due, due + 1)).toBe(true);
  });
});

describe('certificate numbers', () => {
  it('name node, year of issue and a six-digit running number', () => {
    expect(certificateNumber('511500', Date.parse('2026-05-04T08:00:00Z'), 42)).toBe(
      '511500-2026-000042',
    );
    expect(certificateNumber('511500', Date.parse('2026-05-04T08:00:00Z'), 1234567)).toBe(
      '511500-2026-1234567',
    );
  });

  it('take the year in China Standard Time', () => {
    // 2026-12-31T16:30Z is already 1 January 2027 in Yibin
    expect(certificateNumber('511500', Date.parse('2026-12-31T16:30:00Z'), 1)).toBe(
      '511500-2027-000001',
    );
    expect(certificateNumber('511500', Date.parse('2026-12-31T15:59:59Z'), 1)).toBe(
      '511500-2026-000001',
    );
  });

  it('are compared without spaces and case', () => {
    expect(normaliseCertificateNumber(' 宜婚 证-2026 0042ab ')).toBe('宜婚证-20260042AB');
  });
});

describe('who sends which certificate message', () => {
  const terms = { agreementId: 'a1', inflow: '441300', outflow: '511500' } as AgreementTermsV1;

  it('lets the outflow node issue and answer, the inflow node ask', () => {
    expect(senderRoleProblem(terms, '511500', 'certificate.issued')).toBeUndefined();
    expect(senderRoleProblem(terms, '511500', 'certificate.verify.answered')).toBeUndefined();
    expect(senderRoleProblem(terms, '441300', 'certificate.verify.requested')).toBeUndefined();
  });

  it('refuses the other way round, naming the role', () => {
    expect(senderRoleProblem(terms, '441300', 'certificate.issued')).toMatch(
      /sent by the outflow node of agreement a1 \(511500\)/,
    );
    expect(senderRoleProblem(terms, '511500', 'certificate.verify.requested')).toMatch(
      /inflow node/,
    );
    expect(senderRoleProblem(terms, '441300', 'certificate.verify.answered')).toMatch(
      /outflow node/,
    );
  });
});
