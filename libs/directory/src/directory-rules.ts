import { DirectoryKey, NodeLevel, UnsignedDirectoryEntry } from './directory-entry';
import { Division, lookupDivision } from './divisions';

export type DirectoryRuleCode =
  | 'UNKNOWN_DIVISION'
  | 'DIVISION_MISMATCH'
  | 'VALID_FROM_TOO_EARLY'
  | 'KEY_REUSED'
  | 'NODE_ALREADY_SUSPENDED'
  | 'NODE_NOT_SUSPENDED';

/** A directory change the rules refuse; `conflict` when it clashes with the node's state. */
export class DirectoryRuleError extends Error {
  constructor(
    readonly code: DirectoryRuleCode,
    readonly kind: 'invalid' | 'conflict',
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Every change takes effect `leadMs` after it is issued, never earlier: the
 * entry must be on the directory topic before any message is judged by it,
 * or a node that has not read it yet and an auditor that has would disagree
 * (docs/directory.md, "Which time counts").
 */
export interface ChangeClock {
  now: number;
  leadMs: number;
}

export interface PublicKeys {
  signingKey: string;
  encryptionKey: string;
}

/** The division a node claims, checked against the dataset; name and level are optional claims. */
export function checkDivision(code: string, name?: string, level?: NodeLevel): Division {
  const division = lookupDivision(code);
  if (!division) {
    throw new DirectoryRuleError(
      'UNKNOWN_DIVISION',
      'invalid',
      `${code} is not a GB/T 2260 division (or only groups counties)`,
    );
  }
  if ((name !== undefined && name !== division.name) || (level && level !== division.level)) {
    throw new DirectoryRuleError(
      'DIVISION_MISMATCH',
      'invalid',
      `${code} is ${division.name} (${division.level})`,
    );
  }
  return division;
}

export function firstEntry(
  division: Division,
  keys: PublicKeys,
  clock: ChangeClock,
): UnsignedDirectoryEntry {
  return {
    code: division.code,
    name: division.name,
    level: division.level,
    status: 'active',
    keys: [{ ...keys, validFrom: clock.now + clock.leadMs }],
    suspensions: [],
    version: 1,
    issuedAt: clock.now,
  };
}

/**
 * A new key generation from `validFrom` (default: as soon as allowed). The old
 * generations stay in the entry: messages that reached the broker before
 * `validFrom` are still verified with them.
 */
export function rotateKeys(
  entry: UnsignedDirectoryEntry,
  keys: PublicKeys,
  clock: ChangeClock,
  validFrom?: number,
): UnsignedDirectoryEntry {
  const earliest = Math.max(
    clock.now + clock.leadMs,
    entry.keys[entry.keys.length - 1].validFrom + 1,
  );
  const from = validFrom ?? earliest;
  if (from < earliest) {
    throw new DirectoryRuleError(
      'VALID_FROM_TOO_EARLY',
      'invalid',
      `validFrom must be at or after ${new Date(earliest).toISOString()}`,
    );
  }
  const used = (k: DirectoryKey) =>
    k.signingKey === keys.signingKey || k.encryptionKey === keys.encryptionKey;
  if (entry.keys.some(used)) {
    throw new DirectoryRuleError('KEY_REUSED', 'invalid', `a key of ${entry.code} is used again`);
  }
  return next(entry, { keys: [...entry.keys, { ...keys, validFrom: from }] }, clock);
}

export function suspend(entry: UnsignedDirectoryEntry, clock: ChangeClock): UnsignedDirectoryEntry {
  if (entry.status === 'suspended') {
    throw new DirectoryRuleError(
      'NODE_ALREADY_SUSPENDED',
      'conflict',
      `${entry.code} is suspended`,
    );
  }
  const last = entry.suspensions[entry.suspensions.length - 1];
  const from = Math.max(clock.now + clock.leadMs, last?.until ?? 0);
  return next(
    entry,
    { status: 'suspended', suspensions: [...entry.suspensions, { from, until: null }] },
    clock,
  );
}

export function reinstate(
  entry: UnsignedDirectoryEntry,
  clock: ChangeClock,
): UnsignedDirectoryEntry {
  const last = entry.suspensions[entry.suspensions.length - 1];
  if (entry.status !== 'suspended' || !last) {
    throw new DirectoryRuleError(
      'NODE_NOT_SUSPENDED',
      'conflict',
      `${entry.code} is not suspended`,
    );
  }
  const until = Math.max(clock.now + clock.leadMs, last.from + 1);
  return next(
    entry,
    {
      status: 'active',
      suspensions: [...entry.suspensions.slice(0, -1), { from: last.from, until }],
    },
    clock,
  );
}

function next(
  entry: UnsignedDirectoryEntry,
  change: Partial<UnsignedDirectoryEntry>,
  clock: ChangeClock,
): UnsignedDirectoryEntry {
  return { ...entry, ...change, version: entry.version + 1, issuedAt: clock.now };
}
