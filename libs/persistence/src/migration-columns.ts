import type { TableColumnOptions } from 'typeorm';

/*
 * Column shapes shared by the migrations, so that one kind of value is stored
 * the same way in every table, on SQLite and on PostgreSQL alike.
 *
 * Frozen: applied migrations use these, so changing a shape would give new
 * databases a schema that old ones do not have. A new shape is a new function.
 */

/** A bounded string: codes, ids, hex digests. */
export function varcharColumn(
  name: string,
  length: number,
  isNullable = false,
): TableColumnOptions {
  return { name, type: 'varchar', length: String(length), isNullable };
}

/** An instant in epoch milliseconds (bigint: past 2038 and exact in JavaScript). */
export function epochMsColumn(name: string, isNullable = false): TableColumnOptions {
  return { name, type: 'bigint', isNullable };
}

/** A count that can pass 2^31, e.g. of bytes. */
export function bigintColumn(name: string): TableColumnOptions {
  return { name, type: 'bigint', isNullable: false };
}

/** A count or small number. */
export function integerColumn(name: string): TableColumnOptions {
  return { name, type: 'integer' };
}

/** An integer primary key the database numbers (AUTOINCREMENT / SERIAL). */
export function serialColumn(name: string): TableColumnOptions {
  return {
    name,
    type: 'integer',
    isPrimary: true,
    isGenerated: true,
    generationStrategy: 'increment',
  };
}
