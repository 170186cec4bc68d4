import { DirectoryEntry, DirectoryKey, keyAt } from './directory-entry';

/**
 * The directory as one reader has seen it: the newest verified entry of each
 * node. Entries may arrive again or out of order (re-publication, replays);
 * only a higher version replaces what is known.
 */
export class DirectoryView {
  private readonly entries = new Map<string, DirectoryEntry>();

  /** true when the entry is newer than what was known and now counts */
  apply(entry: DirectoryEntry): boolean {
    const known = this.entries.get(entry.code);
    if (known && known.version >= entry.version) return false;
    this.entries.set(entry.code, entry);
    return true;
  }

  entry(code: string): DirectoryEntry | undefined {
    return this.entries.get(code);
  }

  codes(): string[] {
    return [...this.entries.keys()];
  }

  keyAt(code: string, at: number): DirectoryKey | undefined {
    const entry = this.entries.get(code);
    return entry && keyAt(entry, at);
  }
}
