import { isNodeCode, NodeCode } from './node-code';

/** The wire format of every exchange message (DESIGN §3). */
export interface Envelope {
  id: string;
  type: string;
  v: number;
  from: NodeCode;
  to: NodeCode;
  agreementId: string | null;
  correlationId: string | null;
  causationId: string | null;
  seq: number;
  /** hash of the previous envelope of this from→to stream; null for seq 1 */
  prevHash: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
  sig: string;
}

export type UnsignedEnvelope = Omit<Envelope, 'sig'>;

/**
 * Largest accepted envelope (UTF-8 bytes of the Kafka record value). Kafka's
 * own default record limit is 1 MiB; 256 KiB leaves room while keeping one
 * message small enough to parse, verify and store in a hot loop.
 */
export const MAX_ENVELOPE_BYTES = 256 * 1024;

/** Largest payload (canonical JSON bytes, including the encrypted `pii`). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export class EnvelopeFormatError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const FIELDS = new Set([
  'id',
  'type',
  'v',
  'from',
  'to',
  'agreementId',
  'correlationId',
  'causationId',
  'seq',
  'prevHash',
  'occurredAt',
  'payload',
  'sig',
]);

/**
 * Parses a Kafka record value into an envelope, or throws EnvelopeFormatError.
 * Anything that fails here cannot be attributed to a sender (no verifiable
 * signature), so it goes to the dead-letter topic rather than a rejection.
 */
export function parseEnvelope(raw: Buffer | string): Envelope {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_ENVELOPE_BYTES) {
    throw new EnvelopeFormatError(`envelope is ${size} bytes, limit ${MAX_ENVELOPE_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch (err) {
    throw new EnvelopeFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(value)) throw new EnvelopeFormatError('envelope is not a JSON object');
  for (const key of Object.keys(value)) {
    if (!FIELDS.has(key)) throw new EnvelopeFormatError(`unknown envelope field "${key}"`);
  }
  const problems: string[] = [];
  if (!hasEnvelopeFields(value, problems)) throw new EnvelopeFormatError(problems.join('; '));
  return value;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Appends what is wrong with the fields; true (and `e` typed as an envelope) when nothing is. */
function hasEnvelopeFields(
  e: Record<string, unknown>,
  problems: string[],
): e is Record<string, unknown> & Envelope {
  const check = (ok: boolean, field: string, what: string) => {
    if (!ok) problems.push(`${field} ${what}`);
  };
  const nullableUuid = (v: unknown) => v === null || (typeof v === 'string' && UUID.test(v));
  check(typeof e.id === 'string' && UUID.test(e.id), 'id', 'must be a UUID');
  check(
    typeof e.type === 'string' && /^[a-z]+(\.[a-z]+)*$/.test(e.type),
    'type',
    'must be a message type',
  );
  check(
    typeof e.v === 'number' && Number.isInteger(e.v) && e.v >= 1,
    'v',
    'must be a positive integer',
  );
  check(isNodeCode(e.from), 'from', 'must be a node code');
  check(isNodeCode(e.to), 'to', 'must be a node code');
  check(nullableUuid(e.agreementId), 'agreementId', 'must be a UUID or null');
  check(nullableUuid(e.correlationId), 'correlationId', 'must be a UUID or null');
  check(nullableUuid(e.causationId), 'causationId', 'must be a UUID or null');
  check(
    typeof e.seq === 'number' && Number.isSafeInteger(e.seq) && e.seq >= 1,
    'seq',
    'must be a positive integer',
  );
  check(
    e.prevHash === null || (typeof e.prevHash === 'string' && B64URL.test(e.prevHash)),
    'prevHash',
    'must be base64url or null',
  );
  check(
    typeof e.occurredAt === 'string' && !Number.isNaN(Date.parse(e.occurredAt)),
    'occurredAt',
    'must be an ISO date-time',
  );
  check(isJsonObject(e.payload), 'payload', 'must be an object');
  check(typeof e.sig === 'string' && B64URL.test(e.sig), 'sig', 'must be base64url');
  return problems.length === 0;
}
