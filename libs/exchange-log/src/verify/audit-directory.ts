import { KeyObject } from 'node:crypto';
import { importSigningPublicKey } from '@yipanqi/crypto';
import { DirectoryView, verifyDirectoryEntry } from '@yipanqi/directory';
import { locationOf, TopicRecord } from '../log/topic-record';
import { Finding, finding } from './findings';

/**
 * The coordinator's directory as the auditor rebuilds it from the directory
 * topic, with the same rules as a node (DirectoryPeerKeys): only entries that
 * verify with the coordinator key and whose record key is their code count,
 * the highest version of each node wins. Entries carry their whole key and
 * suspension history, so the final view answers "which key was valid at
 * broker time t" for every t — the same answer the node had when it judged
 * the record (docs/directory.md, "Which time counts"). Where a node only logs
 * a warning, the auditor reports a finding: someone other than the
 * coordinator wrote to the directory topic.
 */
export class AuditDirectory {
  private readonly view = new DirectoryView();
  private readonly parsed = new Map<string, KeyObject>();
  readonly findings: Finding[] = [];
  records = 0;

  constructor(private readonly coordinatorKey: KeyObject) {}

  add(record: TopicRecord): void {
    this.records++;
    const code = record.key?.toString('utf8');
    try {
      if (record.value === null) throw new Error('a tombstone: the coordinator never deletes');
      const entry = verifyDirectoryEntry(
        JSON.parse(record.value.toString('utf8')),
        this.coordinatorKey,
      );
      if (entry.code !== code) throw new Error(`record key ${code} is not the entry's code`);
      this.view.apply(entry);
    } catch (err) {
      this.findings.push(
        finding('DIRECTORY_ENTRY_INVALID', `${code ?? 'no key'}: ${(err as Error).message}`, {
          location: locationOf(record),
        }),
      );
    }
  }

  /** every node the directory lists, in code order */
  codes(): string[] {
    return this.view.codes().sort();
  }

  /** the key that verifies `code`'s signature on a record appended at `at` (see keyAt) */
  signingKeyAt(code: string, at: number): KeyObject | undefined {
    const key = this.view.keyAt(code, at);
    return key && this.parse(key.signingKey);
  }

  /**
   * The member (other than `claimed`) whose key valid at `at` makes `verifies`
   * true: tells a message re-signed by the wrong node from a forgery.
   */
  signerAmong(
    verifies: (key: KeyObject) => boolean,
    at: number,
    claimed: string,
  ): string | undefined {
    return this.codes().find((code) => {
      if (code === claimed) return false;
      const key = this.signingKeyAt(code, at);
      return key !== undefined && verifies(key);
    });
  }

  private parse(raw: string): KeyObject {
    let key = this.parsed.get(raw);
    if (!key) {
      key = importSigningPublicKey(raw);
      this.parsed.set(raw, key);
    }
    return key;
  }
}
