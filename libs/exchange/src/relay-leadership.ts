import { DataSource, QueryRunner } from 'typeorm';

/**
 * Which replica of a node publishes its outbox. Several replicas of one node
 * (PostgreSQL only, DESIGN §5) share the outbox; if all of them relayed, every
 * message would go out once per replica. Receivers would skip the copies, but
 * the traffic and the log would grow for nothing — so one replica leads.
 */
export interface RelayLeadership {
  /** true while this replica leads; cheap enough to ask before every publish */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** SQLite: one process owns the database file, so it always leads. */
export class SoleRelay implements RelayLeadership {
  acquire(): Promise<boolean> {
    return Promise.resolve(true);
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * PostgreSQL: the replica holding a session advisory lock leads. The lock
 * lives as long as its connection, so a crashed leader's lock goes with it and
 * a standby takes over at its next try.
 */
export class AdvisoryLockLeadership implements RelayLeadership {
  private session: QueryRunner | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lockName: string,
  ) {}

  async acquire(): Promise<boolean> {
    if (this.session) {
      try {
        await this.session.query('SELECT 1');
        return true;
      } catch {
        // the connection (and with it the lock) is gone
        await this.drop();
      }
    }
    const session = this.dataSource.createQueryRunner();
    try {
      await session.connect();
      const [row] = (await session.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        this.lockName,
      ])) as { locked: boolean }[];
      if (row.locked) {
        this.session = session;
        return true;
      }
    } catch {
      // database unreachable: not leading; the relay tries again later
    }
    await session.release().catch(() => undefined);
    return false;
  }

  async release(): Promise<void> {
    if (!this.session) return;
    await this.session
      .query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockName])
      .catch(() => undefined);
    await this.drop();
  }

  private async drop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release().catch(() => undefined);
  }
}

export function relayLeadershipFor(dataSource: DataSource, node: string): RelayLeadership {
  return dataSource.options.type === 'postgres'
    ? new AdvisoryLockLeadership(dataSource, `yipanqi.outbox-relay.${node}`)
    : new SoleRelay();
}
