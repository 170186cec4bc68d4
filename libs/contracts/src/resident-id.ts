/**
 * The 18-character resident identity number (公民身份号码, GB 11643-1999):
 * 6-digit address code, 8-digit birth date, 3-digit sequence (odd for men,
 * even for women) and an ISO 7064 MOD 11-2 check character (0–9 or X).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('need exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

export type ResidentIdProblemCode =
  'ID_NUMBER_FORMAT' | 'ID_NUMBER_REGION' | 'ID_NUMBER_CHECK_DIGIT' | 'ID_NUMBER_BIRTH_DATE';

/**
 * The forms of an ID number that staff type and mean the same number: a
 * lower-case check character `x`, and full-width digits and X (U+FF10–FF19,
 * U+FF38, U+FF58) that Chinese input methods produce. Nothing else is
 * mapped (no NFKC: it would also turn ① or ¹ into digits) and nothing is
 * trimmed: anything else stays as it is and fails the format check.
 */
export function normalizeResidentId(value: string): string {
  return value
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[x\uFF38\uFF58]/g, 'X');
}

/**
 * Province-level codes of GB/T 2260 (the first two digits of every address
 * code). Only the province is checked: an ID number keeps the address code it
 * was issued with for life, and many prefecture and county codes on valid
 * cards have since been abolished or renumbered.
 */
const PROVINCE_CODES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

export interface ResidentIdProblem {
  code: ResidentIdProblemCode;
  detail: string;
}

/**
 * Why `value` is not a valid resident ID number, or undefined when it is. The
 * birth date must exist in the calendar and lie between 1900-01-01 and
 * `today`. Problems name no digits of the number: they end up in logs.
 */
export function residentIdProblem(
  value: string,
  today = new Date(),
): ResidentIdProblem | undefined {
  if (!/^\d{17}[\dX]$/.test(value)) {
    return {
      code: 'ID_NUMBER_FORMAT',
      detail: 'must be 17 digits and a digit or X (18 characters)',
    };
  }
  if (!PROVINCE_CODES.has(value.slice(0, 2))) {
    return {
      code: 'ID_NUMBER_REGION',
      detail: 'the address code does not start with a GB/T 2260 province code',
    };
  }
  if (residentIdCheckChar(value.slice(0, 17)) !== value[17]) {
    return {
      code: 'ID_NUMBER_CHECK_DIGIT',
      detail: 'the check character does not match (GB 11643)',
    };
  }
  const birth = birthDateOf(value);
  const todayIso = today.toISOString().slice(0, 10);
  if (!birth || birth < '1900-01-01' || birth > todayIso) {
    return {
      code: 'ID_NUMBER_BIRTH_DATE',
      detail: 'the embedded birth date is not a possible date of birth',
    };
  }
  return undefined;
}

/** The embedded birth date as YYYY-MM-DD, or undefined when no such day exists. */
export function birthDateOf(id: string): string | undefined {
  const [y, m, d] = [id.slice(6, 10), id.slice(10, 12), id.slice(12, 14)].map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const valid =
    date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  return valid ? date.toISOString().slice(0, 10) : undefined;
}

/** Sex as the sequence digit records it. */
export function sexOf(id: string): 'male' | 'female' {
  return Number(id[16]) % 2 === 1 ? 'male' : 'female';
}
