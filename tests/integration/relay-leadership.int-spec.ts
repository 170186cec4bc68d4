/**
 * Replicas of one node on PostgreSQL: only the replica holding the relay's
 * advisory lock publishes the outbox; when it stops or its connection dies,
 * a standby takes over.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AdvisoryLockLeadership, EXCHANGE_ENTITIES, EXCHANGE_MIGRATIONS } from '@yipanqi/exchange';
import { openDatabase } from '@yipanqi/persistence';
import { createPostgresDatabase, dropPostgresDatabase, postgresUrl } from '../support/city-nodes';

describe('outbox relay leadership on PostgreSQL', () => {
  const name = `yipanqi_test_leader_${randomBytes(4).toString('hex')}`;
  const replicas: DataSource[] = [];

  beforeAll(async () => {
    await createPostgresDatabase(name);
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await openDatabase({
          url: postgresUrl(name),
          entities: EXCHANGE_ENTITIES,
          migrations: EXCHANGE_MIGRATIONS,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const db of replicas) await db.destroy();
    await dropPostgresDatabase(name);
  });

  it('lets one replica lead and a standby take over when it steps down', async () => {
    const first = new AdvisoryLockLeadership(replicas[0], 'yipanqi.outbox-relay.441300');
    const second = new AdvisoryLockLeadership(replicas[1], 'yipanqi.outbox-relay.441300');
    expect(await first.acquire()).toBe(true);
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);

    await first.release();
    expect(await second.acquire()).toBe(true);
    expect(await first.acquire()).toBe(false);
    await second.release();
  });

  it('takes over from a leader whose connection died', async () => {
    const first = new AdvisoryLockLeadership(replicas[0], 'yipanqi.outbox-relay.440300');
    const second = new AdvisoryLockLeadership(replicas[1], 'yipanqi.outbox-relay.440300');
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);

    // what a crashed replica looks like to the server: its session ends (the
    // timeout makes the call wait until the backend is gone and its lock freed)
    const terminated = await replicas[1].query<{ gone: boolean }[]>(
      `SELECT pg_terminate_backend(pid, 10000) AS gone FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(terminated).toEqual([{ gone: true }]);
    expect(await second.acquire()).toBe(true);
    expect(await first.acquire()).toBe(false);
    await second.release();
  });

  it('keeps the relays of different nodes independent', async () => {
    const a = new AdvisoryLockLeadership(replicas[0], 'yipanqi.outbox-relay.441300');
    const b = new AdvisoryLockLeadership(replicas[1], 'yipanqi.outbox-relay.511500');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(true);
    await a.release();
    await b.release();
  });
});
