import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical form: what gets signed and hashed, so that every
 * party computes the same bytes whatever key order or number formatting the
 * sender's JSON library used.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}
