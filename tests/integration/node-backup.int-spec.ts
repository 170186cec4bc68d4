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
import {
  GivenReply,
  InboxMessage,
  OutboxMessage,
  RejectionRecord,
  StreamState,
} from '@yipanqi/exchange';
import { CertificateVerification } from '../../apps/city-node/src/certificates/certificate.entities';
import { startCityNode } from '../../apps/city-node/src/city-node.app';
import { backupNode, readBackup, restoreNode } from '../../apps/city-node/src/backup/node-backup';
import { CityNodeConfig } from '../../apps/city-node/src/city-node.config';
import { openCityNodeDatabase } from '../../apps/city-node/src/database';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { api, establishAgreement } from '../support/agreements';
import { certificateFor } from '../support/certificates';
import { PeopleGenerator } from '../support/synthetic-people';
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
    // Yibin, the place of outflow, is restored: it also answers verification requests by itself
    const [RESTORED, PARTNER] = [YIBIN, HUIZHOU];
    const both = () => [net.nodes[RESTORED], net.nodes[PARTNER]];
    const noticesAt = (node: TestNode, direction: 'sent' | 'received') =>
      node.db.getRepository(Notice).count({ where: { direction } });
    const holder = new PeopleGenerator(database === 'sqlite' ? 1 : 2).person(YIBIN);
    const issued = await api<{ number: string }>(
      net.nodes[YIBIN],
      'POST',
      '/certificates',
      certificateFor(holder, HUIZHOU),
    );
    expect(issued.status).toBe(202);
    await sendNotices(RESTORED, PARTNER, 2);
    await sendNotices(PARTNER, RESTORED, 2);
    await quiet(both());
    const rejectionsBefore = {
      restored: await net.nodes[RESTORED].db.getRepository(RejectionRecord).count(),
      partner: await net.nodes[PARTNER].db.getRepository(RejectionRecord).count(),
    };
    const folder = await backupNode(
      net.nodes[RESTORED].config,
      mkdtempSync(join(tmpdir(), 'yipanqi-backup-')),
    );

    // after the copy, traffic both ways: notices, receipts, and a verification Yibin answers by itself
    await sendNotices(RESTORED, PARTNER, 3);
    await sendNotices(PARTNER, RESTORED, 4);
    const asked = await api<{ id: string }>(
      net.nodes[HUIZHOU],
      'POST',
      '/certificates/verifications',
      { certificateNumber: issued.body.number, idNumber: holder.idNumber, to: YIBIN },
    );
    expect(asked.status).toBe(202);
    await quiet(both());
    const answersOf = async (node: TestNode) =>
      node.db.getRepository(InboxMessage).find({
        where: { from: RESTORED, type: 'certificate.verify.answered' },
        select: { id: true },
      });
    const answeredBefore = await answersOf(net.nodes[PARTNER]);
    expect(answeredBefore).toHaveLength(1);
    const receivedAtRestored = await noticesAt(net.nodes[RESTORED], 'received');
    const receivedAtPartner = await noticesAt(net.nodes[PARTNER], 'received');

    // Yibin is lost and comes back from the older copy, on a new database
    const lost = net.nodes[RESTORED];
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
    net.nodes[RESTORED] = {
      ...lost,
      app,
      url: await app.getUrl(),
      db: app.get(DataSource),
      config,
    };
    const restored = net.nodes[RESTORED];
    const partner = net.nodes[PARTNER];
    await quiet(both());

    // what Huizhou sent after the copy was read again and applied once; nothing went twice to Huizhou
    expect(await noticesAt(restored, 'received')).toBe(receivedAtRestored);
    expect(await noticesAt(partner, 'received')).toBe(receivedAtPartner);
    // the verification was answered once, and the restored queue names that answer
    expect(await answersOf(partner)).toEqual(answeredBefore);
    const verification = await restored.db
      .getRepository(CertificateVerification)
      .findOneByOrFail({ id: asked.body.id });
    expect(verification.answerMessageId).toBe(answeredBefore[0].id);
    // Yibin's outbox holds again every envelope Huizhou has from it, and each one is answered
    const fromRestored = await partner.db
      .getRepository(InboxMessage)
      .find({ where: { from: RESTORED }, select: { id: true, type: true, envelope: true } });
    const outbox = await restored.db
      .getRepository(OutboxMessage)
      .find({ where: { peer: PARTNER } });
    expect(outbox.map((o) => o.id).sort()).toEqual(fromRestored.map((m) => m.id).sort());
    expect(outbox.filter((o) => o.type === 'notice' && o.answer !== 'receipt')).toEqual([]);
    // one answer per message of Huizhou's, the receipts Yibin gave before the restore standing
    const answered = fromRestored
      .filter((m) => m.type === 'receipt' || m.type === 'rejection')
      .map((m) => (JSON.parse(m.envelope) as { payload: { messageId: string } }).payload.messageId);
    const partnerSent = await partner.db
      .getRepository(OutboxMessage)
      .find({ where: { peer: RESTORED } });
    const needAnswer = partnerSent.filter((o) => o.type !== 'receipt' && o.type !== 'rejection');
    expect(answered.sort()).toEqual(needAnswer.map((o) => o.id).sort());
    expect(needAnswer.filter((o) => o.answer !== 'receipt')).toEqual([]);
    // every reply found in the journal was met again and handed back
    expect(await restored.db.getRepository(GivenReply).count()).toBe(0);
    // the streams are in step: no rejection, no divergence on either side
    expect(await restored.db.getRepository(RejectionRecord).count()).toBe(
      rejectionsBefore.restored,
    );
    expect(await partner.db.getRepository(RejectionRecord).count()).toBe(rejectionsBefore.partner);
    const stream = async (node: TestNode, peer: string, direction: 'in' | 'out') =>
      node.db.getRepository(StreamState).findOneOrFail({ where: { peer, direction } });
    const out = await stream(restored, PARTNER, 'out');
    const inAtPartner = await stream(partner, RESTORED, 'in');
    expect([out.lastSeq, out.lastHash]).toEqual([inAtPartner.lastSeq, inAtPartner.lastHash]);
    expect(inAtPartner.stalledReason).toBeNull();
    const inAtRestored = await stream(restored, PARTNER, 'in');
    const outAtPartner = await stream(partner, RESTORED, 'out');
    expect([inAtRestored.lastSeq, inAtRestored.stalledReason]).toEqual([
      outAtPartner.lastSeq,
      null,
    ]);

    // and the exchange goes on both ways
    await sendNotices(RESTORED, PARTNER, 1);
    await sendNotices(PARTNER, RESTORED, 1);
    await quiet(both());
    expect(await noticesAt(partner, 'received')).toBe(receivedAtPartner + 1);
    expect(await noticesAt(restored, 'received')).toBe(receivedAtRestored + 1);
    expect(await partner.db.getRepository(RejectionRecord).count()).toBe(rejectionsBefore.partner);
  });
});
