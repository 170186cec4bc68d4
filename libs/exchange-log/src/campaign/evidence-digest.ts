import { createHash } from 'node:crypto';

/** The message ids behind one indicator of one pair score (libs/evaluation's IndicatorScore). */
export interface IndicatorEvidence {
  numeratorIds: readonly string[];
  denominatorIds: readonly string[];
  pendingIds: readonly string[];
}

/** Names the construction: a different one is a new domain, never a silent change. */
export const EVIDENCE_DIGEST_DOMAIN = 'yipanqi.evidence.v1';

/** 128 bits: see docs/evaluation.md "Evidence digests" for why not 256. */
const DIGEST_BYTES = 16;

/** 22 characters of base64url, what evidenceDigest returns. */
export const EVIDENCE_DIGEST = /^[A-Za-z0-9_-]{22}$/;

// a lone surrogate has no UTF-8 form: two such ids could encode to the same bytes
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The distinct ids as UTF-8 in ascending byte order. Byte order, not
 * JavaScript's `<` on UTF-16 code units (they differ above U+D7FF), so that a
 * reader in any language sorts them the same way.
 */
function sortedBytes(ids: readonly string[]): Buffer[] {
  for (const id of ids) {
    if (id.includes('\n') || LONE_SURROGATE.test(id)) {
      throw new RangeError(`a message id cannot be digested: ${JSON.stringify(id)}`);
    }
  }
  return [...new Set(ids)]
    .map((id) => Buffer.from(id, 'utf8'))
    .sort((a, b) => Buffer.compare(a, b));
}

/**
 * The digest of the ids behind one indicator of one pair: base64url (no
 * padding) of the first 16 bytes of SHA-256 over the UTF-8 text
 *
 *     yipanqi.evidence.v1\n
 *     numerator <count>\n   then each id followed by \n
 *     denominator <count>\n then each id followed by \n
 *     pending <count>\n     then each id followed by \n
 *
 * where each list is its distinct ids in ascending UTF-8 byte order and
 * `<count>` their number in decimal. The counts make the sections
 * unambiguous whatever the ids are (no id may hold a line feed); empty lists
 * still have their line, so nothing at all has a digest too. Order and
 * repetition carry no meaning, as when the lists themselves were compared.
 */
export function evidenceDigest(evidence: IndicatorEvidence): string {
  const hash = createHash('sha256').update(`${EVIDENCE_DIGEST_DOMAIN}\n`, 'utf8');
  const sections = [
    ['numerator', evidence.numeratorIds],
    ['denominator', evidence.denominatorIds],
    ['pending', evidence.pendingIds],
  ] as const;
  for (const [name, ids] of sections) {
    const sorted = sortedBytes(ids);
    hash.update(`${name} ${sorted.length}\n`, 'utf8');
    for (const id of sorted) hash.update(id).update('\n', 'utf8');
  }
  return hash.digest().subarray(0, DIGEST_BYTES).toString('base64url');
}
