/**
 * Text that names or locates a person (names, addresses, titles): what is
 * refused, and the one form it is stored, hashed, signed and sent in (NFC).
 * Problems never repeat the text: they end up in logs.
 */
export type PersonTextProblemCode =
  'TEXT_CONTROL_CHARACTER' | 'TEXT_LONE_SURROGATE' | 'TEXT_BIDI_OVERRIDE' | 'TEXT_BLANK';

export interface PersonTextProblem {
  code: PersonTextProblemCode;
  detail: string;
}

// C0 and C1 controls and DEL; line breaks and tabs included: these fields are one line
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// a high surrogate not followed by a low one, or a low one not preceded by a high one
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// embeddings, overrides and isolates: they make a name display as another
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// white space and the zero-width characters that look like nothing
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF]/g;

export function personTextProblem(value: string): PersonTextProblem | undefined {
  if (CONTROL.test(value)) {
    return { code: 'TEXT_CONTROL_CHARACTER', detail: 'must not contain control characters' };
  }
  if (LONE_SURROGATE.test(value)) {
    return { code: 'TEXT_LONE_SURROGATE', detail: 'must be valid Unicode (a lone surrogate)' };
  }
  if (BIDI_CONTROL.test(value)) {
    return {
      code: 'TEXT_BIDI_OVERRIDE',
      detail: 'must not contain bidirectional embedding, override or isolate characters',
    };
  }
  if (value.replace(INVISIBLE, '') === '') {
    return { code: 'TEXT_BLANK', detail: 'must not be empty or only white space' };
  }
  return undefined;
}

/** NFC: the same name typed on two systems is the same string, hash and blind index. */
export function normalizePersonText(value: string): string {
  return value.normalize('NFC');
}
