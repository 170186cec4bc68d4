import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Statement sizes the rows are cut into: a few constant SQL texts, so that
 * the driver's statement cache prepares each once (TypeORM's insert builder
 * makes a new text, escapes every parameter and maps every cell for each
 * call — a quarter of a node's time during a campaign import).
 */
const STATEMENT_ROWS = [100, 10, 1];

const sqlCache = new WeakMap<object, Map<string, string>>();

function insertSql(manager: EntityManager, target: EntityTarget<ObjectLiteral>, rows: number) {
  const metadata = manager.connection.getMetadata(target);
  let byShape = sqlCache.get(metadata);
  if (!byShape) {
    byShape = new Map();
    sqlCache.set(metadata, byShape);
  }
  const postgres = manager.connection.options.type === 'postgres';
  const key = `${postgres ? 'pg' : 'sqlite'}/${rows}`;
  let sql = byShape.get(key);
  if (!sql) {
    const columns = metadata.columns.map((c) => c.databaseName);
    const quote = (name: string) => `"${name}"`;
    let n = 0;
    const row = () => `(${columns.map(() => (postgres ? `$${++n}` : '?')).join(', ')})`;
    sql =
      `INSERT INTO ${quote(metadata.tableName)} (${columns.map(quote).join(', ')}) VALUES ` +
      Array.from({ length: rows }, row).join(', ');
    byShape.set(key, sql);
  }
  return { sql, metadata };
}

/**
 * Inserts entity rows with constant prepared statements, for the hot paths
 * of bulk traffic (docs/decisions.md, issue 14). Every column is written:
 * rows must carry all of them (null where empty), as `insert` would.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly T[],
): Promise<void> {
  let i = 0;
  while (i < rows.length) {
    const size = STATEMENT_ROWS.find((s) => s <= rows.length - i) ?? 1;
    const { sql, metadata } = insertSql(manager, target, size);
    const params: unknown[] = [];
    for (const row of rows.slice(i, i + size)) {
      for (const column of metadata.columns) {
        const value: unknown = column.getEntityValue(row);
        params.push(
          manager.connection.driver.preparePersistentValue(
            value === undefined ? null : value,
            column,
          ),
        );
      }
    }
    await manager.query(sql, params);
    i += size;
  }
}
