import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs units of work in database transactions. SQLite (better-sqlite3) has a
 * single connection: two interleaved async transactions would silently merge
 * into one, so on SQLite transactions are queued one at a time. PostgreSQL
 * gets real concurrent transactions.
 */
export class Transactions {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.dataSource.transaction(work);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** bigint columns come back from PostgreSQL as strings; epoch milliseconds fit in a JS number. */
export const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
