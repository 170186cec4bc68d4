/**
 * insertRows (libs/persistence), the constant-statement insert of the bulk
 * hot paths, on both databases the node runs on: every row and column lands
 * as TypeORM's own insert would write it, in every statement size.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EXCHANGE_ENTITIES, EXCHANGE_MIGRATIONS, OutboxRecord } from '@yipanqi/exchange';
import { insertRows, openDatabase } from '@yipanqi/persistence';
import { v7 as uuidv7 } from 'uuid';
import { createPostgresDatabase, dropPostgresDatabase, postgresUrl } from '../support/city-nodes';

const rowsOf = (n: number): OutboxRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: uuidv7(),
    messageId: uuidv7(),
    peer: '511500',
    outcome: i % 3 === 0 ? null : i % 3 === 1 ? 'accepted' : 'refused',
    reason: i % 3 === 2 ? 'SCHEMA_INVALID' : null,
  }));

describe.each(['sqlite', 'postgres'])('insertRows on %s', (kind) => {
  let db: DataSource;
  const pgName = `rowins_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;

  beforeAll(async () => {
    let url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'row-inserts-')), 'node.db')}`;
    if (kind === 'postgres') {
      await createPostgresDatabase(pgName);
      url = postgresUrl(pgName);
    }
    db = await openDatabase({ url, entities: EXCHANGE_ENTITIES, migrations: EXCHANGE_MIGRATIONS });
  });
  afterAll(async () => {
    await db.destroy();
    if (kind === 'postgres') await dropPostgresDatabase(pgName);
  });

  it.each([1, 9, 10, 100, 234])('writes %i rows exactly', async (n) => {
    const rows = rowsOf(n);
    await db.transaction((m) => insertRows(m, OutboxRecord, rows));
    const stored = await db.getRepository(OutboxRecord).findBy(rows.map((r) => ({ id: r.id })));
    const byId = (a: OutboxRecord, b: OutboxRecord) => (a.id < b.id ? -1 : 1);
    expect(stored.sort(byId)).toEqual([...rows].sort(byId));
  });

  it('rolls back with its transaction', async () => {
    const rows = rowsOf(20);
    await expect(
      db.transaction(async (m) => {
        await insertRows(m, OutboxRecord, rows);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.getRepository(OutboxRecord).countBy({ id: rows[0].id })).toBe(0);
  });
});
