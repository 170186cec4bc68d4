import type { Database as SqliteHandle } from 'better-sqlite3';
import type { DataSource, EntityMetadata, QueryRunner } from 'typeorm';
import { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';

/** What was copied of one table. */
export interface CopiedTable {
  table: string;
  rows: number;
}

/** Rows per INSERT: 500 rows × a dozen columns stays far below PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 500;

/** Tables the schema tooling keeps, not the node's data: the target has its own. */
const TOOLING_TABLES = new Set(['migrations', 'typeorm_metadata', 'sqlite_sequence']);

/**
 * Copies every row of a node's SQLite database into an empty PostgreSQL
 * database migrated to the same schema (both DataSources open, both migrated).
 * Reads one snapshot (a read transaction: WAL lets it stand even if something
 * still writes), writes in one PostgreSQL transaction, moves every serial
 * column's sequence past the copied values, and checks the row counts. Refuses
 * before writing anything when the target holds data, or when the source has
 * a table no entity describes (it would be lost).
 */
export async function copyToPostgres(
  source: DataSource,
  target: DataSource,
  log: (line: string) => void = () => undefined,
): Promise<CopiedTable[]> {
  if (!(source.driver instanceof BetterSqlite3Driver)) {
    throw new Error('the source must be a SQLite database');
  }
  if (target.options.type !== 'postgres')
    throw new Error('the target must be a PostgreSQL database');
  // TypeORM types its handle `any`; it is better-sqlite3's Database
  const sqlite = source.driver.databaseConnection as SqliteHandle;
  const tables = source.entityMetadatas.filter((m) => m.tableType === 'regular');
  const known = new Set(tables.map((m) => m.tableName));
  const unknown = sqlite
    .prepare<[], { name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
    )
    .all()
    .map((r) => r.name)
    .filter((name) => !known.has(name) && !TOOLING_TABLES.has(name));
  if (unknown.length > 0) {
    throw new Error(`the SQLite database has tables no entity describes: ${unknown.join(', ')}`);
  }

  const runner = target.createQueryRunner();
  await runner.connect();
  sqlite.exec('BEGIN');
  try {
    for (const m of tables) {
      const [{ n }] = (await runner.query(`SELECT COUNT(*)::int AS n FROM "${m.tableName}"`)) as {
        n: number;
      }[];
      if (n > 0)
        throw new Error(`the PostgreSQL database is not empty: ${m.tableName} has ${n} rows`);
    }
    await runner.startTransaction();
    const copied: CopiedTable[] = [];
    for (const m of tables) {
      const rows = await copyTable(sqlite, runner, m);
      copied.push({ table: m.tableName, rows });
      log(`${m.tableName}: ${rows} rows`);
    }
    for (const m of tables) {
      for (const c of m.columns.filter((c) => c.generationStrategy === 'increment')) {
        await runner.query(
          `SELECT setval(pg_get_serial_sequence('"${m.tableName}"', '${c.databaseName}'), COALESCE(MAX("${c.databaseName}"), 0) + 1, false) FROM "${m.tableName}"`,
        );
      }
    }
    for (const { table, rows } of copied) {
      const [{ n }] = (await runner.query(`SELECT COUNT(*)::int AS n FROM "${table}"`)) as {
        n: number;
      }[];
      if (n !== rows) throw new Error(`${table}: ${rows} rows read, ${n} in PostgreSQL`);
    }
    await runner.commitTransaction();
    return copied;
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw err;
  } finally {
    sqlite.exec('COMMIT');
    await runner.release();
  }
}

async function copyTable(
  sqlite: SqliteHandle,
  runner: QueryRunner,
  m: EntityMetadata,
): Promise<number> {
  const columns = m.columns.map((c) => ({
    name: c.databaseName,
    // SQLite keeps booleans as 0/1, PostgreSQL wants true/false
    boolean: c.type === 'boolean' || c.type === Boolean,
  }));
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  let batch: unknown[][] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const marks = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await runner.query(
      `INSERT INTO "${m.tableName}" (${list}) VALUES ${tuples.join(', ')}`,
      params,
    );
    count += batch.length;
    batch = [];
  };
  for (const row of sqlite
    .prepare<[], Record<string, unknown>>(`SELECT ${list} FROM "${m.tableName}"`)
    .iterate()) {
    batch.push(
      columns.map(({ name, boolean }) => {
        const value = row[name];
        return boolean && value !== null ? value === 1 || value === true : value;
      }),
    );
    if (batch.length >= ROWS_PER_INSERT) await flush();
  }
  await flush();
  return count;
}
