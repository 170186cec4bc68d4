/**
 * `city-node backup` copies a running node's database (SQLite online backup,
 * or pg_dump in an exported snapshot) and keys into a new folder with a
 * manifest; `restore` puts it in place for a fresh node, refusing to
 * overwrite anything.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { StreamState } from '@yipanqi/exchange';
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
} from '../support/city-nodes';

const HUIZHOU = '441300';
const YIBIN = '511500';

describe.each(['sqlite', 'postgres'] as const)('backing up a city node on %s', (database) => {
  let net: TestNetwork;
  const restoredDatabase = `yipanqi_test_restore_${Date.now()}`;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], database);
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
    if (database === 'postgres') await createPostgresDatabase(restoredDatabase);
  });

  afterAll(async () => {
    await net.stop();
    if (database === 'postgres') await dropPostgresDatabase(restoredDatabase);
  });

  const send = async (count: number) => {
    const huizhou = net.nodes[HUIZHOU];
    for (let i = 0; i < count; i++) {
      await request(huizhou.url)
        .post('/notices')
        .set('Authorization', bearer(huizhou, 'coordinator'))
        .send({
          to: YIBIN,
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
});
