import { VerificationResult } from '@yipanqi/contracts';

/**
 * The rules of 婚育证明 (marriage-and-childbearing certificates), free of Nest
 * and TypeORM: what a certificate's dates mean, how a number is made, who may
 * send which certificate message under an agreement, and how a verification
 * is answered from the outflow node's own records. docs/certificates.md
 * explains them for staff.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** China Standard Time: a certificate's days and its number's year are local days. */
const CST_OFFSET_MS = 8 * HOUR_MS;

export interface CertificateValidity {
  /** first day of validity, YYYY-MM-DD */
  validFrom: string;
  /** last day of validity, YYYY-MM-DD (included) */
  validUntil: string;
}

/** The start of a calendar day in China Standard Time, as epoch ms. */
function startOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

/**
 * The instants a certificate is valid at: `[validFrom 00:00, validUntil + 1 day 00:00)`
 * China Standard Time. The last day printed on the certificate is a whole day of validity.
 */
export function validityWindow(validity: CertificateValidity): { start: number; end: number } {
  return { start: startOfDay(validity.validFrom), end: startOfDay(validity.validUntil) + DAY_MS };
}

/** Why the stated validity cannot be, or undefined when it is sound. */
export function validityProblem(validity: CertificateValidity): string | undefined {
  return validity.validUntil < validity.validFrom
    ? 'validUntil must not be before validFrom'
    : undefined;
}

/**
 * What the outflow node answers at once from its own records, or undefined
 * when it does not know the number and its staff must look (paper archives,
 * another system).
 *
 * - holder does not match → INVALID (whatever the dates: they are someone else's)
 * - before the first day → INVALID: the certificate proves nothing yet, and
 *   EXPIRED would send the holder to renew a certificate that is not even in force
 * - after the last day → EXPIRED
 * - otherwise → VALID
 *
 * `at` is the broker time of the request, so a replay gives the same answer.
 */
export function automaticResult(
  certificate: CertificateValidity | undefined,
  holderMatches: boolean,
  at: number,
): VerificationResult | undefined {
  if (!certificate) return undefined;
  if (!holderMatches) return 'INVALID';
  const { start, end } = validityWindow(certificate);
  if (at < start) return 'INVALID';
  if (at >= end) return 'EXPIRED';
  return 'VALID';
}

/** When staff must have answered a verification: request's broker time + the agreement's response SLA. */
export function verificationDueAt(requestedAt: number, responseHours: number): number {
  return requestedAt + responseHours * HOUR_MS;
}

/** On time means answered at or before the due time (DESIGN §7), so only later is overdue. */
export function isOverdue(dueAt: number, now: number): boolean {
  return now > dueAt;
}

/**
 * A number staff can read aloud: issuing node, year of issue (China Standard
 * Time) and a running number of that node and year, e.g. `511500-2026-000042`.
 */
export function certificateNumber(node: string, issuedAt: number, seq: number): string {
  return `${node}-${issueYear(issuedAt)}-${String(seq).padStart(6, '0')}`;
}

export function issueYear(at: number): number {
  return new Date(at + CST_OFFSET_MS).getUTCFullYear();
}

/** As staff typed it → as it travels and is indexed: no spaces, capital letters. */
export function normaliseCertificateNumber(typed: string): string {
  return typed.replace(/\s+/g, '').toUpperCase();
}

export { senderRoleProblem } from '@yipanqi/contracts';
