/**
 * A city node moves from its SQLite file to PostgreSQL: stopped, copied with
 * `city-node migrate-to-postgres`, started with DATABASE_URL. It keeps its
 * streams (both directions go on without a gap or a rejection), its tokens and
 * its records; the copy refuses a database that already holds data.
 */
import { execFile } from 'node:child_process';
import request from 'supertest';
import { OutboxMessage, RejectionRecord, StreamState } from '@yipanqi/exchange';
import { migrateNodeToPostgres } from '../../apps/city-node/src/migrate-to-postgres.command';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { establishAgreement } from '../support/agreements';
import { CITY_NODE_MAIN } from '../support/node-process';
import {
  bearer,
  createPostgresDatabase,
  dropPostgresDatabase,
  eventually,
  postgresUrl,
  restartTestNode,
  startTestNetwork,
  TestNetwork,
  TestNode,
} from '../support/city-nodes';

const HUIZHOU = '441300'; // moves to PostgreSQL
const YIBIN = '511500';

describe('moving a city node from SQLite to PostgreSQL', () => {
  let net: TestNetwork;
  const database = `yipanqi_test_move_${Date.now()}`;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN]);
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
    await createPostgresDatabase(database);
  });

  afterAll(async () => {
    await net.stop();
    await dropPostgresDatabase(database);
  });

  const sendNotices = async (from: TestNode, to: string, count: number) => {
    for (let i = 0; i < count; i++) {
      await request(from.url)
        .post('/notices')
        .set('Authorization', bearer(from, 'coordinator'))
        .send({ to, category: 'policy', domain: 'publicity', title: `通报 ${i}`, text: '内容' })
        .expect(202);
    }
  };
  const received = (node: TestNode) =>
    node.db.getRepository(Notice).count({ where: { direction: 'received' } });
  const receipted = (node: TestNode) =>
    node.db.getRepository(OutboxMessage).count({ where: { type: 'notice', answer: 'receipt' } });
  const settled = async (sent: Record<string, number>) => {
    for (const [code, count] of Object.entries(sent)) {
      const node = net.nodes[code];
      const other = net.nodes[code === HUIZHOU ? YIBIN : HUIZHOU];
      await eventually(async () => (await received(other)) === count, 60000, `notices of ${code}`);
      await eventually(async () => (await receipted(node)) === count, 60000, `receipts at ${code}`);
    }
  };

  it('keeps every stream, token and record, and exchanges on without a gap', async () => {
    await sendNotices(net.nodes[HUIZHOU], YIBIN, 5);
    await sendNotices(net.nodes[YIBIN], HUIZHOU, 3);
    await settled({ [HUIZHOU]: 5, [YIBIN]: 3 });
    const before = await net.nodes[HUIZHOU].db.getRepository(StreamState).find();

    const lines: string[] = [];
    let copied: { table: string; rows: number }[] = [];
    const huizhou = await restartTestNode(
      net,
      HUIZHOU,
      async () => {
        copied = await migrateNodeToPostgres(
          net.nodes[HUIZHOU].config,
          postgresUrl(database),
          (l) => lines.push(l),
        );
      },
      { databaseUrl: postgresUrl(database) },
    );
    expect(huizhou.db.options.type).toBe('postgres');
    const rows = Object.fromEntries(copied.map((t) => [t.table, t.rows]));
    expect(rows).toMatchObject({ notice: 8, exchange_stream: before.length });
    expect(rows.exchange_outbox).toBeGreaterThanOrEqual(5 + 3); // notices and receipts sent
    expect(rows.api_token).toBeGreaterThan(0);
    expect(lines).toContain('notice: 8 rows');
    // the same streams, where they stood
    const after = await huizhou.db.getRepository(StreamState).find();
    const key = (s: StreamState) => `${s.peer}/${s.direction}`;
    expect(after.map((s) => [key(s), s.lastSeq, s.lastHash]).sort()).toEqual(
      before.map((s) => [key(s), s.lastSeq, s.lastHash]).sort(),
    );

    // the tokens issued on SQLite still sign in; both directions go on (with the
    // outbox's serial sequence left at 1, PostgreSQL would refuse the new rows)
    await sendNotices(huizhou, YIBIN, 4);
    await sendNotices(net.nodes[YIBIN], HUIZHOU, 2);
    await settled({ [HUIZHOU]: 9, [YIBIN]: 5 });
    for (const node of [huizhou, net.nodes[YIBIN]]) {
      expect(await node.db.getRepository(RejectionRecord).count()).toBe(0);
    }
    const out = await huizhou.db.getRepository(StreamState).findOneByOrFail({
      peer: YIBIN,
      direction: 'out',
    });
    const inn = await net.nodes[YIBIN].db
      .getRepository(StreamState)
      .findOneByOrFail({ peer: HUIZHOU, direction: 'in' });
    expect(inn).toMatchObject({ lastSeq: out.lastSeq, lastHash: out.lastHash });
  });

  it('refuses a database that already holds data, writing nothing', async () => {
    const huizhou = net.nodes[HUIZHOU];
    const sqliteConfig = {
      ...huizhou.config,
      databaseUrl: `sqlite:${huizhou.config.dataDir}/node.db`,
    };
    const outbox = await huizhou.db.getRepository(OutboxMessage).count();
    await expect(migrateNodeToPostgres(sqliteConfig, postgresUrl(database))).rejects.toThrow(
      /not empty/,
    );
    expect(await huizhou.db.getRepository(OutboxMessage).count()).toBe(outbox);
  });

  it('is the city-node command migrate-to-postgres, which says why it refused', async () => {
    const huizhou = net.nodes[HUIZHOU];
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [CITY_NODE_MAIN, 'migrate-to-postgres', '--to', postgresUrl(database)],
        { env: { PATH: process.env.PATH, NODE_CODE: HUIZHOU, DATA_DIR: huizhou.config.dataDir } },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the PostgreSQL database is not empty/);
  });
});
