import { KeyObject } from 'node:crypto';
import { isNodeCode } from '@yipanqi/contracts';
import { hasValidRecordSignature, signRecord } from '@yipanqi/crypto';

export const NODE_LEVELS = ['province', 'prefecture', 'county'] as const;
export type NodeLevel = (typeof NODE_LEVELS)[number];

export const NODE_STATUSES = ['active', 'suspended'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** One generation of a node's public keys (raw, base64url) and when it starts to count. */
export interface DirectoryKey {
  signingKey: string;
  encryptionKey: string;
  /** epoch ms; compared with the broker time (LogAppendTime) of a record */
  validFrom: number;
}

/** A time during which the node's messages are refused; `until` null: still suspended. */
export interface SuspensionPeriod {
  from: number;
  until: number | null;
}

/**
 * What the coordinator publishes about one node. Entries carry their whole key
 * and suspension history: the topic is compacted (only the latest version of
 * each node survives), yet a message signed years ago must still be judged by
 * the key that was valid when it reached the broker.
 */
export interface UnsignedDirectoryEntry {
  code: string;
  name: string;
  level: NodeLevel;
  status: NodeStatus;
  /** ascending by validFrom; the last one is the current generation */
  keys: DirectoryKey[];
  /** ascending; only the last one may be open */
  suspensions: SuspensionPeriod[];
  /** 1 for the first entry of a node, +1 for each change */
  version: number;
  /** epoch ms, coordinator clock */
  issuedAt: number;
}

export interface DirectoryEntry extends UnsignedDirectoryEntry {
  /** base64url Ed25519 by the coordinator over the RFC 8785 form of every other field */
  sig: string;
}

export class DirectoryEntryError extends Error {}

export function signDirectoryEntry(
  entry: UnsignedDirectoryEntry,
  coordinatorKey: KeyObject,
): DirectoryEntry {
  return signRecord(entry, coordinatorKey);
}

/** The signed part of an entry: what the next version is made from. */
export function unsignedPart({ sig: _sig, ...unsigned }: DirectoryEntry): UnsignedDirectoryEntry {
  return unsigned;
}

/**
 * Checks that `value` is a well-formed entry signed by the coordinator and
 * returns it; throws DirectoryEntryError saying why not otherwise. Shape is
 * checked before the signature is trusted, and after: a signed entry with a
 * broken history would still mislead every lookup.
 */
export function verifyDirectoryEntry(value: unknown, coordinatorKey: KeyObject): DirectoryEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DirectoryEntryError('not a JSON object');
  }
  const { sig, ...unsigned } = value as Record<string, unknown>;
  if (typeof sig !== 'string') throw new DirectoryEntryError('unsigned');
  if (!hasValidRecordSignature(value as Record<string, unknown>, coordinatorKey)) {
    throw new DirectoryEntryError('signature does not verify with the coordinator key');
  }
  const problem = entryProblem(unsigned);
  if (problem) throw new DirectoryEntryError(problem);
  return value as DirectoryEntry;
}

const RAW_KEY = /^[A-Za-z0-9_-]{43}$/;
const FIELDS = ['code', 'name', 'level', 'status', 'keys', 'suspensions', 'version', 'issuedAt'];

const isEpochMs = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** What is wrong with an unsigned entry, or undefined when it is well formed. */
export function entryProblem(e: Record<string, unknown>): string | undefined {
  const extra = Object.keys(e).filter((k) => !FIELDS.includes(k));
  if (extra.length > 0) return `unknown fields: ${extra.join(', ')}`;
  if (!isNodeCode(e.code)) return 'code is not a 6-digit division code';
  if (typeof e.name !== 'string' || e.name.length === 0) return 'name is missing';
  if (!(NODE_LEVELS as readonly unknown[]).includes(e.level)) return 'level is not known';
  if (!(NODE_STATUSES as readonly unknown[]).includes(e.status)) return 'status is not known';
  if (!Number.isSafeInteger(e.version) || (e.version as number) < 1) return 'version must be ≥ 1';
  if (!isEpochMs(e.issuedAt)) return 'issuedAt is not epoch ms';
  if (!Array.isArray(e.keys) || e.keys.length === 0) return 'keys are missing';
  let previous = -1;
  for (const k of e.keys as Partial<DirectoryKey>[]) {
    if (typeof k !== 'object' || k === null) return 'a key is not an object';
    if (!RAW_KEY.test(String(k.signingKey)) || !RAW_KEY.test(String(k.encryptionKey))) {
      return 'a key is not a raw base64url 32-byte key';
    }
    if (!isEpochMs(k.validFrom) || k.validFrom <= previous) {
      return 'key validFrom must be epoch ms, strictly ascending';
    }
    previous = k.validFrom;
  }
  if (!Array.isArray(e.suspensions)) return 'suspensions are missing';
  let end = -1;
  const periods = e.suspensions as Partial<SuspensionPeriod>[];
  for (const [i, p] of periods.entries()) {
    const open = p.until === null;
    if (
      !isEpochMs(p.from) ||
      p.from < end ||
      (!open && !(isEpochMs(p.until) && p.until > p.from))
    ) {
      return 'suspensions must be ascending periods with from < until';
    }
    if (open && i !== periods.length - 1) return 'only the last suspension may be open';
    end = open ? Infinity : (p.until as number);
  }
  const open = periods.length > 0 && periods[periods.length - 1].until === null;
  if ((e.status === 'suspended') !== open) return 'status does not match the suspensions';
  return undefined;
}

/**
 * The key generation that verifies a message that reached the broker at `at`:
 * the latest one whose validFrom is at or before `at`. Undefined when the node
 * was not yet a member then, or suspended then.
 */
export function keyAt(entry: UnsignedDirectoryEntry, at: number): DirectoryKey | undefined {
  const suspended = entry.suspensions.some(
    (p) => p.from <= at && (p.until === null || at < p.until),
  );
  if (suspended) return undefined;
  let found: DirectoryKey | undefined;
  for (const k of entry.keys) if (k.validFrom <= at) found = k;
  return found;
}
