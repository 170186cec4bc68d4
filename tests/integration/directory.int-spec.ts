/**
 * The node directory on a running network: the coordinator's signed entries
 * decide which key verifies a message (by the broker time of its record),
 * who is suspended, and who joins; nodes ignore entries it did not sign.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Producer } from 'kafkajs';
import request from 'supertest';
import { directoryTopic, Envelope, inboxTopic, parseEnvelope } from '@yipanqi/contracts';
import {
  encryptPii,
  exportPublicKeys,
  generateNodeKeys,
  importSigningPublicKey,
  loadOrCreateNodeKeys,
  NodeKeys,
} from '@yipanqi/crypto';
import {
  DirectoryEntry,
  DirectoryView,
  keyFingerprint,
  signDirectoryEntry,
  signRegistration,
  unsignedPart,
  verifyDirectoryEntry,
} from '@yipanqi/directory';
import {
  DroppedRecord,
  hasValidSignature,
  InboxMessage,
  PeerKeys,
  RejectionRecord,
} from '@yipanqi/exchange';
import { PEER_KEYS } from '../../apps/city-node/src/tokens';
import { eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';
import { HandSender } from '../support/hand-sender';
import { readWholeTopic, testKafka } from '../support/kafka';
import { CITY_NODE_MAIN } from '../support/node-process';

const HUIZHOU = '441300'; // a member, driven by this test by hand
const YIBIN = '511500'; // a real city node: the one that judges
const XIAMEN = '350200'; // registers itself with its CLI
const SHENZHEN = '440300'; // never a member: forged entries name it

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

describe('the node directory', () => {
  let net: TestNetwork;
  let producer: Producer;
  let huizhou: HandSender;
  let admin: string;
  const api = () => request(net.coordinator.url);
  const yibinPeers = () => net.nodes[YIBIN].app.get<PeerKeys>(PEER_KEYS);

  beforeAll(async () => {
    net = await startTestNetwork([YIBIN], [YIBIN, HUIZHOU]);
    admin = `Bearer ${net.coordinator.tokens.admin}`;
    producer = testKafka('directory-test').producer();
    await producer.connect();
    huizhou = new HandSender(HUIZHOU, YIBIN, net.keys[HUIZHOU]);
  });

  afterAll(async () => {
    await producer.disconnect();
    await net.stop();
  });

  /** A notice from `sender`, signed with `key`; the sender's chain advances only when told. */
  const send = async (sender: HandSender, options: { key?: NodeKeys; advance: boolean }) => {
    const pii = await encryptPii(
      { title: '通报', text: '内容' },
      net.keys[YIBIN].encryption.publicKey,
    );
    const draft = sender.draft('notice', { category: 'policy', domain: 'publicity', pii });
    const envelope = sender.sign(draft, (options.key ?? sender.keys).signing.privateKey);
    if (options.advance) sender.advance(envelope);
    await producer.send({
      topic: inboxTopic(YIBIN, net.topicPrefix),
      messages: [{ key: sender.from, value: JSON.stringify(envelope) }],
    });
    return envelope;
  };

  // Entering the stream means the signature verified; what the payload then
  // came to (applied or rejected) is other tests' business.
  const entered = (e: Envelope) =>
    eventually(
      async () =>
        (await net.nodes[YIBIN].db.getRepository(InboxMessage).countBy({ id: e.id })) === 1,
      30000,
      `${e.id} (seq ${e.seq}) in the stream`,
    );

  /** A record that cannot be attributed is dropped unanswered, with evidence (DESIGN §3). */
  const refused = async (e: Envelope, reason: string) => {
    const repo = net.nodes[YIBIN].db.getRepository(DroppedRecord);
    await eventually(
      async () => (await repo.countBy({ messageId: e.id })) === 1,
      30000,
      `a refusal of ${e.id}`,
    );
    const drop = await repo.findOneByOrFail({ messageId: e.id });
    expect(drop.reason).toBe(reason);
    expect(await net.nodes[YIBIN].db.getRepository(InboxMessage).countBy({ id: e.id })).toBe(0);
    expect(
      await net.nodes[YIBIN].db.getRepository(RejectionRecord).countBy({ messageId: e.id }),
    ).toBe(0);
    return drop;
  };

  it('verifies each message with the key valid at its broker time across a rotation', async () => {
    const before = [await send(huizhou, { advance: true }), await send(huizhou, { advance: true })];
    for (const e of before) await entered(e);

    const oldKeys = huizhou.keys;
    const newKeys = generateNodeKeys();
    const rotated = await api()
      .post(`/nodes/${HUIZHOU}/keys`)
      .set('Authorization', admin)
      .send(exportPublicKeys(newKeys))
      .expect(200);
    const entry = rotated.body as DirectoryEntry;
    expect(entry.version).toBe(2);
    expect(entry.keys.map((k) => k.signingKey)).toEqual([
      exportPublicKeys(oldKeys).signingKey,
      exportPublicKeys(newKeys).signingKey,
    ]);
    await sleepUntil(entry.keys[1].validFrom + 50);

    const after = await send(huizhou, { key: newKeys, advance: true });
    await entered(after);
    const stale = await send(huizhou, { key: oldKeys, advance: false });
    await refused(stale, 'BAD_SIGNATURE');
    const next = await send(huizhou, { key: newKeys, advance: true });
    await entered(next);

    // An auditor's replay comes to the same verdicts from the two topics alone.
    const view = new DirectoryView();
    for (const r of await readWholeTopic(directoryTopic(net.topicPrefix))) {
      view.apply(
        verifyDirectoryEntry(JSON.parse(String(r.value)), net.coordinator.keys.signing.publicKey),
      );
    }
    const verdicts = new Map<string, boolean>();
    for (const r of await readWholeTopic(inboxTopic(YIBIN, net.topicPrefix))) {
      const envelope = parseEnvelope(r.value as Buffer);
      const key = view.keyAt(envelope.from, r.timestamp);
      verdicts.set(
        envelope.id,
        key !== undefined && hasValidSignature(envelope, importSigningPublicKey(key.signingKey)),
      );
    }
    expect([...before, after, stale, next].map((e) => verdicts.get(e.id))).toEqual([
      true,
      true,
      true,
      false,
      true,
    ]);
    huizhou.keys = newKeys;
  });

  it("refuses a suspended node's messages as UNKNOWN_SENDER and takes them again once reinstated", async () => {
    const suspended = await api()
      .post(`/nodes/${HUIZHOU}/suspend`)
      .set('Authorization', admin)
      .expect(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', version: 3 });
    await sleepUntil((suspended.body as DirectoryEntry).suspensions[0].from + 50);
    expect(yibinPeers().encryptionKey(HUIZHOU)).toBeUndefined();

    const whileSuspended = await send(huizhou, { advance: false });
    await refused(whileSuspended, 'UNKNOWN_SENDER');

    const again = await api()
      .post(`/nodes/${HUIZHOU}/suspend`)
      .set('Authorization', admin)
      .expect(409);
    expect(again.body.code).toBe('NODE_ALREADY_SUSPENDED');

    const reinstated = await api()
      .post(`/nodes/${HUIZHOU}/reinstate`)
      .set('Authorization', admin)
      .expect(200);
    expect(reinstated.body).toMatchObject({ status: 'active', version: 4 });
    await sleepUntil(((reinstated.body as DirectoryEntry).suspensions[0].until as number) + 50);
    await entered(await send(huizhou, { advance: true }));
  });

  it('ignores directory entries the coordinator did not sign', async () => {
    const forger = generateNodeKeys();
    const shenzhen = new HandSender(SHENZHEN, YIBIN, generateNodeKeys());
    const genuine = (await api().get(`/nodes/${HUIZHOU}`).set('Authorization', admin).expect(200))
      .body as DirectoryEntry;
    const now = Date.now();
    const forgedShenzhen = signDirectoryEntry(
      {
        code: SHENZHEN,
        name: '深圳市',
        level: 'prefecture',
        status: 'active',
        keys: [{ ...exportPublicKeys(shenzhen.keys), validFrom: now - 60000 }],
        suspensions: [],
        version: 1,
        issuedAt: now,
      },
      forger.signing.privateKey,
    );
    // a "newer version" of a real member that would hand its identity to the forger
    const hijack = unsignedPart(genuine);
    hijack.keys = [...hijack.keys, { ...exportPublicKeys(forger), validFrom: now - 1000 }];
    hijack.version = genuine.version + 10;
    await producer.send({
      topic: directoryTopic(net.topicPrefix),
      messages: [
        { key: SHENZHEN, value: JSON.stringify(forgedShenzhen) },
        { key: SHENZHEN, value: JSON.stringify(unsignedPart(forgedShenzhen)) },
        {
          key: HUIZHOU,
          value: JSON.stringify(signDirectoryEntry(hijack, forger.signing.privateKey)),
        },
        { key: SHENZHEN, value: 'not json' },
      ],
    });

    // the node catches up with the directory before it judges a record appended after these
    await refused(await send(shenzhen, { advance: false }), 'UNKNOWN_SENDER');
    await refused(await send(huizhou, { key: forger, advance: false }), 'BAD_SIGNATURE');
    await entered(await send(huizhou, { advance: true }));
    expect(yibinPeers().encryptionKey(SHENZHEN)).toBeUndefined();
  });

  it('lists a node that registered itself with its CLI once an admin approves it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'yipanqi-xiamen-'));
    const register = () =>
      promisify(execFile)(
        process.execPath,
        [CITY_NODE_MAIN, 'register', '--coordinator', net.coordinator.url],
        {
          env: {
            PATH: process.env.PATH,
            NODE_CODE: XIAMEN,
            NODE_NAME: '厦门市',
            DATA_DIR: dataDir,
          },
        },
      );
    const { stdout, stderr } = await register();
    const xiamenKeys = loadOrCreateNodeKeys(join(dataDir, 'keys'));
    const fingerprint = keyFingerprint(exportPublicKeys(xiamenKeys).signingKey);
    const registration = JSON.parse(stdout) as { id: string; status: string; fingerprint: string };
    expect(registration).toMatchObject({
      status: 'pending',
      fingerprint,
      code: XIAMEN,
      name: '厦门市',
    });
    expect(stderr).toContain(fingerprint);

    // pending changes nothing
    await expect(register()).rejects.toThrow(/REGISTRATION_PENDING/);
    const missing = await api().get(`/nodes/${XIAMEN}`).set('Authorization', admin).expect(404);
    expect(missing.body.code).toBe('NODE_NOT_FOUND');
    const xiamen = new HandSender(XIAMEN, YIBIN, xiamenKeys);
    await refused(await send(xiamen, { advance: false }), 'UNKNOWN_SENDER');

    const listed = await api()
      .get('/registrations?status=pending')
      .set('Authorization', admin)
      .expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: registration.id, fingerprint })]);
    const approve = `/registrations/${registration.id}/approve`;
    await api().post(approve).expect(401);
    await api()
      .post(approve)
      .set('Authorization', `Bearer ${net.coordinator.tokens.coordinator}`)
      .expect(403);
    const approved = await api().post(approve).set('Authorization', admin).expect(200);
    const entry = approved.body as DirectoryEntry;
    expect(entry).toMatchObject({ code: XIAMEN, name: '厦门市', level: 'prefecture', version: 1 });
    expect(entry.keys[0]).toMatchObject(exportPublicKeys(xiamenKeys));
    const twice = await api().post(approve).set('Authorization', admin).expect(409);
    expect(twice.body.code).toBe('REGISTRATION_DECIDED');

    await sleepUntil(entry.keys[0].validFrom + 50);
    await entered(await send(xiamen, { advance: true }));
    expect(yibinPeers().encryptionKey(XIAMEN)).toBeDefined();
  });

  it('keeps a rejected registration out of the directory', async () => {
    const keys = exportPublicKeys(generateNodeKeys());
    const shenzhenKeys = generateNodeKeys();
    const published = exportPublicKeys(shenzhenKeys);
    const asked = await api()
      .post('/registrations')
      .send({
        code: SHENZHEN,
        ...published,
        proof: signRegistration(SHENZHEN, published, shenzhenKeys.signing.privateKey),
      })
      .expect(201);
    const rejected = await api()
      .post(`/registrations/${asked.body.id}/reject`)
      .set('Authorization', admin)
      .send({ note: '请当面核对密钥指纹' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'test admin' });
    await api().get(`/nodes/${SHENZHEN}`).set('Authorization', admin).expect(404);
    // someone else's key needs that key's own proof
    const borrowed = await api()
      .post('/registrations')
      .send({
        code: SHENZHEN,
        ...keys,
        proof: signRegistration(SHENZHEN, keys, shenzhenKeys.signing.privateKey),
      })
      .expect(422);
    expect(borrowed.body.code).toBe('BAD_PROOF');
  });

  it.each([
    ['a code that is no division', { code: '441399' }, 422, 'UNKNOWN_DIVISION'],
    ['a code that only groups counties', { code: '110100' }, 422, 'UNKNOWN_DIVISION'],
    ['a name that is not the code’s', { code: SHENZHEN, name: '惠州市' }, 422, 'DIVISION_MISMATCH'],
    ['a node already listed', { code: HUIZHOU }, 409, 'NODE_EXISTS'],
    ['a malformed code', { code: '44130' }, 400, 'VALIDATION_FAILED'],
  ])('refuses to register %s', async (_what, node, status, code) => {
    const keys = exportPublicKeys(generateNodeKeys());
    const res = await api()
      .post('/nodes')
      .set('Authorization', admin)
      .send({ ...keys, ...node })
      .expect(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: `urn:yipanqi:problem:${code}` });
    const codes = (
      (await api().get('/nodes').set('Authorization', admin)).body as DirectoryEntry[]
    ).map((e) => e.code);
    expect(codes).toEqual([HUIZHOU, XIAMEN, YIBIN].sort());
  });

  it('refuses a self-registration for a code that is no division', async () => {
    const node = generateNodeKeys();
    const keys = exportPublicKeys(node);
    const res = await api()
      .post('/registrations')
      .send({
        code: '441399',
        ...keys,
        proof: signRegistration('441399', keys, node.signing.privateKey),
      })
      .expect(422);
    expect(res.body.code).toBe('UNKNOWN_DIVISION');
  });

  it('publishes the latest entry of every node again on request, unchanged', async () => {
    const topic = directoryTopic(net.topicPrefix);
    const latest = (await api().get('/nodes').set('Authorization', admin).expect(200))
      .body as DirectoryEntry[];
    const before = (await readWholeTopic(topic)).length;
    await api()
      .post('/directory/republish')
      .set('Authorization', `Bearer ${net.coordinator.tokens.coordinator}`)
      .expect(403);

    const res = await api().post('/directory/republish').set('Authorization', admin).expect(200);
    expect(res.body).toEqual({ republished: latest.length });
    const records = await readWholeTopic(topic);
    expect(records).toHaveLength(before + latest.length);
    const again = records.slice(before).map((r) => JSON.parse(String(r.value)) as unknown);
    const verified = again.map((e) =>
      verifyDirectoryEntry(e, net.coordinator.keys.signing.publicKey),
    );
    expect(verified.map((e) => `${e.code} v${e.version}`).sort()).toEqual(
      latest.map((e) => `${e.code} v${e.version}`).sort(),
    );
  });

  it('lets its admin issue and revoke staff tokens over HTTP', async () => {
    const issued = await api()
      .post('/auth/tokens')
      .set('Authorization', admin)
      .send({ role: 'coordinator', label: '协调员 李四' })
      .expect(201);
    const staff = `Bearer ${issued.body.token as string}`;
    await api().get('/nodes').set('Authorization', staff).expect(200);
    // staff read the directory but do not manage tokens
    const refused = await api().get('/auth/tokens').set('Authorization', staff).expect(403);
    expect(refused.body.code).toBe('FORBIDDEN');

    await api()
      .delete(`/auth/tokens/${issued.body.tokenId as string}`)
      .set('Authorization', admin)
      .expect(204);
    const after = await api().get('/nodes').set('Authorization', staff).expect(401);
    expect(after.body.code).toBe('TOKEN_INVALID');
  });

  it('serves its public key and its OpenAPI description', async () => {
    const key = await api().get('/directory/coordinator-key').expect(200);
    expect(key.body).toEqual({
      signingKey: net.coordinator.publicKey,
      fingerprint: keyFingerprint(net.coordinator.publicKey),
    });
    const doc = await api().get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining(['/nodes', '/nodes/{code}/keys', '/registrations/{id}/approve']),
    );
    // who may call a route, and its problem answers, as on the city nodes
    expect(doc.body.paths['/nodes/{code}/suspend'].post).toMatchObject({
      security: [{ bearer: [] }],
      'x-roles': ['admin'],
      responses: { '403': { content: { 'application/problem+json': {} } } },
    });
    expect(doc.body.paths['/registrations'].post.security).toEqual([]);
    await api().get('/api/docs').expect(200);
  });
});
