import { createHash } from 'node:crypto';

/** How much of a record's value a dead letter or a dropped record keeps. */
export const EVIDENCE_HEAD_BYTES = 4096;

/** How much of one header value is kept (a header can be as large as the record). */
const HEADER_VALUE_BYTES = 256;
const MAX_HEADERS = 16;

/** Whatever a Kafka client hands over as record headers. */
export type RecordHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/**
 * What is kept of a record that was not applied: enough to identify it in the
 * log (the topic, partition and offset hold the whole record for ever) and to
 * prove what it was (size and SHA-256 of the value), never a copy whose size
 * the writer chooses.
 */
export interface RecordEvidence {
  size: number;
  sha256: string;
  /** the first EVIDENCE_HEAD_BYTES of the value, base64 */
  head: string;
  /** record headers, JSON of name → value (each cut to 256 bytes, at most 16) */
  headers: string;
  /** the record key, cut to 64 characters; null when the record had none */
  key: string | null;
}

export function recordEvidence(
  value: Buffer | null,
  key: Buffer | string | null | undefined,
  headers: RecordHeaders | undefined,
): RecordEvidence {
  const bytes = value ?? Buffer.alloc(0);
  return {
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    head: bytes.subarray(0, EVIDENCE_HEAD_BYTES).toString('base64'),
    headers: JSON.stringify(boundedHeaders(headers)),
    key: key === null || key === undefined ? null : cut(String(key), 64),
  };
}

/** True when the evidence holds the whole value (it can be parsed again from it). */
export function evidenceIsWhole(evidence: Pick<RecordEvidence, 'size'>): boolean {
  return evidence.size <= EVIDENCE_HEAD_BYTES;
}

function boundedHeaders(headers: RecordHeaders | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}).slice(0, MAX_HEADERS)) {
    if (value === undefined) continue;
    const text = (Array.isArray(value) ? value : [value]).map((v) => String(v)).join(',');
    kept[cut(name, 64)] = cut(text, HEADER_VALUE_BYTES);
  }
  return kept;
}

/** Cuts to a length in UTF-16 units without leaving half a surrogate pair behind. */
export function cut(text: string, length: number): string {
  if (text.length <= length) return text;
  const end = /[\uD800-\uDBFF]/.test(text[length - 1]) ? length - 1 : length;
  return text.slice(0, end);
}
