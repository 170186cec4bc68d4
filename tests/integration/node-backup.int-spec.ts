/**
 * `city-node backup` copies a running node's database (SQLite online backup,
 * or pg_dump in an exported snapshot) and keys into a new folder with a
 * manifest; `restore` puts it in place for a fresh node, refusing to
 * overwrite anything. A node restored from a copy older than its last
 * messages rejoins its streams by itself (libs/exchange/src/rejoin).
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InboxMessage, OutboxMessage, RejectionRecord, StreamState } from '@yipanqi/exchange';
import { startCityNode } from '../../apps/city-node/src/city-node.app';
import { backupNode, readBackup, restoreNode } from '../../apps/city-node/src/backup/node-backup';
import { CityNodeConfig } from '../../apps/city-node/src/city-node.config';
import { openCityNodeDatabase } from '../../apps/city-node/src/database';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { establishAgreement } from '../support/agreements';
import {
  bearer,
  createPostgresDatabase,
  dropPostgresDatabase,
  eventually,
  postgresUrl,
  startTestNetwork,
  TestNetwork,
  TestNode,
} from '../support/city-nodes';
import { quiet } from '../support/scenario';

const HUIZHOU = '441300';
const YIBIN = '511500';

describe.each(['sqlite', 'postgres'] as const)('backing up a city node on %s', (database) => {
  let net: TestNetwork;
  const restoredDatabase = `yipanqi_test_restore_${Date.now()}`;
  const rejoinDatabase = `yipanqi_test_rejoin_${Date.now()}`;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], database);
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
    if (database === 'postgres') await createPostgresDatabase(restoredDatabase);
    if (database === 'postgres') await createPostgresDatabase(rejoinDatabase);
  });

  afterAll(async () => {
    await net.stop();
    if (database === 'postgres') await dropPostgresDatabase(restoredDatabase);
    if (database === 'postgres') await dropPostgresDatabase(rejoinDatabase);
  });

  const send = (count: number) => sendNotices(HUIZHOU, YIBIN, count);
  const sendNotices = async (from: string, to: string, count: number) => {
    const sender = net.nodes[from];
    for (let i = 0; i < count; i++) {
      await request(sender.url)
        .post('/notices')
        .set('Authorization', bearer(sender, 'coordinator'))
        .send({
          to,
          category: 'policy',
          domain: 'publicity',
          title: `通报 ${i}`,
          text: '内容',
        })
        .expect(202);
    }
  };

  it('copies one consistent instant of a running node, and restores it into a fresh node', async () => {
    const huizhou = net.nodes[HUIZHOU];
    await send(3);
    await eventually(
      async () =>
        (await net.nodes[YIBIN].db
          .getRepository(Notice)
          .count({ where: { direction: 'received' } })) === 3,
      60000,
      'the first notices at Yibin',
    );
    const parent = mkdtempSync(join(tmpdir(), 'yipanqi-backup-'));
    // the node keeps sending while the copy is taken
    const sending = send(20);
    const folder = await backupNode(huizhou.config, parent);
    await sending;

    const manifest = await readBackup(folder);
    expect(manifest).toMatchObject({ node: HUIZHOU, database });
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    // the key files, byte for byte, readable by the owner only
    for (const name of readdirSync(huizhou.config.keysDir)) {
      const copy = join(folder, 'keys', name);
      expect(readFileSync(copy)).toEqual(readFileSync(join(huizhou.config.keysDir, name)));
      expect(statSync(copy).mode & 0o777).toBe(0o600);
    }
    const out = manifest.streams.find((s) => s.peer === YIBIN && s.direction === 'out');
    expect(out?.lastSeq).toBeGreaterThanOrEqual(3);

    // a fresh node's place: restore, open, and find the copy's instant
    const dataDir = mkdtempSync(join(tmpdir(), 'yipanqi-restored-'));
    const fresh: CityNodeConfig = {
      ...huizhou.config,
      dataDir,
      keysDir: join(dataDir, 'keys'),
      databaseUrl:
        database === 'sqlite'
          ? `sqlite:${join(dataDir, 'node.db')}`
          : postgresUrl(restoredDatabase),
    };
    await restoreNode(fresh, folder);
    const restored: DataSource = await openCityNodeDatabase(fresh);
    try {
      const streams = await restored.getRepository(StreamState).find();
      expect(
        streams
          .map((s) => ({ peer: s.peer, direction: s.direction, lastSeq: s.lastSeq }))
          .sort((a, b) => `${a.peer}${a.direction}`.localeCompare(`${b.peer}${b.direction}`)),
      ).toEqual(manifest.streams);
      // every notice sent up to that instant, no other
      const sent = await restored.getRepository(Notice).count({ where: { direction: 'sent' } });
      expect(sent).toBeGreaterThanOrEqual(3);
      expect(sent).toBeLessThanOrEqual(23);
      if (database === 'sqlite') {
        const copy = new Database(join(folder, 'node.db'), { readonly: true });
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        copy.close();
      }
    } finally {
      await restored.destroy();
    }
    readdirSync(fresh.keysDir).forEach((name) =>
      expect(readFileSync(join(fresh.keysDir, name))).toEqual(
        readFileSync(join(huizhou.config.keysDir, name)),
      ),
    );

    // restore never overwrites: the same place again is refused
    await expect(restoreNode(fresh, folder)).rejects.toThrow(/not empty|exists/);
  });

  it('refuses a backup whose files no longer match the manifest', async () => {
    const folder = await backupNode(
      net.nodes[HUIZHOU].config,
      mkdtempSync(join(tmpdir(), 'yipanqi-backup-')),
    );
    const key = readdirSync(join(folder, 'keys'))[0];
    writeFileSync(join(folder, 'keys', key), 'tampered');
    await expect(readBackup(folder)).rejects.toThrow(/does not match the manifest/);
  });

  it('restores a node from a copy older than its last messages, and it rejoins every stream by itself', async () => {
    const both = () => [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    const noticesAt = (node: TestNode, direction: 'sent' | 'received') =>
      node.db.getRepository(Notice).count({ where: { direction } });
    await sendNotices(HUIZHOU, YIBIN, 2);
    await sendNotices(YIBIN, HUIZHOU, 2);
    await quiet(both());
    const rejectionsBefore = {
      huizhou: await net.nodes[HUIZHOU].db.getRepository(RejectionRecord).count(),
      yibin: await net.nodes[YIBIN].db.getRepository(RejectionRecord).count(),
    };
    const folder = await backupNode(
      net.nodes[HUIZHOU].config,
      mkdtempSync(join(tmpdir(), 'yipanqi-backup-')),
    );

    // after the copy, traffic both ways: messages, receipts, and notices applied
    await sendNotices(HUIZHOU, YIBIN, 3);
    await sendNotices(YIBIN, HUIZHOU, 4);
    await quiet(both());
    const receivedAtHuizhou = await noticesAt(net.nodes[HUIZHOU], 'received');
    const receivedAtYibin = await noticesAt(net.nodes[YIBIN], 'received');

    // Huizhou is lost and comes back from the older copy, on a new database
    const lost = net.nodes[HUIZHOU];
    await lost.app.close();
    const dataDir = mkdtempSync(join(tmpdir(), 'yipanqi-rejoin-'));
    const config: CityNodeConfig = {
      ...lost.config,
      dataDir,
      keysDir: join(dataDir, 'keys'),
      databaseUrl:
        database === 'sqlite' ? `sqlite:${join(dataDir, 'node.db')}` : postgresUrl(rejoinDatabase),
    };
    await restoreNode(config, folder);
    const app = await startCityNode(config, { logger: false });
    net.nodes[HUIZHOU] = {
      ...lost,
      app,
      url: await app.getUrl(),
      db: app.get(DataSource),
      config,
    };
    const huizhou = net.nodes[HUIZHOU];
    const yibin = net.nodes[YIBIN];
    await quiet(both());

    // what Yibin sent after the copy was read again and applied once; nothing went twice to Yibin
    expect(await noticesAt(huizhou, 'received')).toBe(receivedAtHuizhou);
    expect(await noticesAt(yibin, 'received')).toBe(receivedAtYibin);
    // Huizhou's outbox holds again every envelope Yibin has from it, and each one is answered
    const fromHuizhou = await yibin.db
      .getRepository(InboxMessage)
      .find({ where: { from: HUIZHOU }, select: { id: true, type: true, envelope: true } });
    const outbox = await huizhou.db.getRepository(OutboxMessage).find({ where: { peer: YIBIN } });
    expect(outbox.map((o) => o.id).sort()).toEqual(fromHuizhou.map((m) => m.id).sort());
    expect(outbox.filter((o) => o.type === 'notice' && o.answer !== 'receipt')).toEqual([]);
    // one answer per message of Yibin's, the receipts Huizhou gave before the restore standing
    const answered = fromHuizhou
      .filter((m) => m.type === 'receipt' || m.type === 'rejection')
      .map((m) => (JSON.parse(m.envelope) as { payload: { messageId: string } }).payload.messageId);
    const yibinSent = await yibin.db
      .getRepository(OutboxMessage)
      .find({ where: { peer: HUIZHOU } });
    const needAnswer = yibinSent.filter((o) => o.type !== 'receipt' && o.type !== 'rejection');
    expect(answered.sort()).toEqual(needAnswer.map((o) => o.id).sort());
    expect(needAnswer.filter((o) => o.answer !== 'receipt')).toEqual([]);
    // the streams are in step: no rejection, no divergence on either side
    expect(await huizhou.db.getRepository(RejectionRecord).count()).toBe(rejectionsBefore.huizhou);
    expect(await yibin.db.getRepository(RejectionRecord).count()).toBe(rejectionsBefore.yibin);
    const stream = async (node: TestNode, peer: string, direction: 'in' | 'out') =>
      node.db.getRepository(StreamState).findOneOrFail({ where: { peer, direction } });
    const out = await stream(huizhou, YIBIN, 'out');
    const inAtYibin = await stream(yibin, HUIZHOU, 'in');
    expect([out.lastSeq, out.lastHash]).toEqual([inAtYibin.lastSeq, inAtYibin.lastHash]);
    expect(inAtYibin.stalledReason).toBeNull();
    const inAtHuizhou = await stream(huizhou, YIBIN, 'in');
    const outAtYibin = await stream(yibin, HUIZHOU, 'out');
    expect([inAtHuizhou.lastSeq, inAtHuizhou.stalledReason]).toEqual([outAtYibin.lastSeq, null]);

    // and the exchange goes on both ways
    await sendNotices(HUIZHOU, YIBIN, 1);
    await sendNotices(YIBIN, HUIZHOU, 1);
    await quiet(both());
    expect(await noticesAt(yibin, 'received')).toBe(receivedAtYibin + 1);
    expect(await noticesAt(huizhou, 'received')).toBe(receivedAtHuizhou + 1);
    expect(await yibin.db.getRepository(RejectionRecord).count()).toBe(rejectionsBefore.yibin);
  });
});
