/**
 * A hostile or faulty writer against a city's inbox: records up to the
 * broker's size limit, unsigned junk in floods, validly signed envelopes
 * under another key or replayed, streams that diverge, a database that fails.
 * Each record ends applied, rejected, dead-lettered or counted-and-dropped;
 * nothing unauthenticated is answered; the inbox goes on or says why not.
 */
import { randomBytes, createHash } from 'node:crypto';
import request from 'supertest';
import { deadLetterTopic, Envelope } from '@yipanqi/contracts';
import { encryptPii, generateNodeKeys } from '@yipanqi/crypto';
import {
  DeadLetter,
  DropCount,
  DroppedRecord,
  InboxMessage,
  RejectionRecord,
} from '@yipanqi/exchange';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { establishAgreement } from '../support/agreements';
import { bearer, eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';
import { readWholeTopic } from '../support/kafka';
import { HandPartner, startHandPartner } from '../support/hand-partner';
import { HandSender } from '../support/hand-sender';

const HUIZHOU = '441300'; // in the directory, driven by this test by hand
const YIBIN = '511500'; // the city node under attack
const SHENZHEN = '440300'; // a real city node: valid traffic from another sender

/** Broker default max.message.bytes is 1,048,588; leave room for the batch overhead. */
const NEAR_LIMIT = 1_040_000;

describe('a hostile inbox', () => {
  let net: TestNetwork;
  let hand: HandPartner;
  let sender: HandSender;
  const yibin = () => net.nodes[YIBIN];
  /** everything Yibin sent the hand-driven Huizhou so far */
  const toHuizhou = () => hand.received;

  const produce = (value: string | Buffer, key: string | null = HUIZHOU) =>
    hand.produce(value, key);

  const notice = async () => ({
    category: 'policy',
    domain: 'publicity',
    pii: await encryptPii({ title: '通报', text: '内容' }, net.keys[YIBIN].encryption.publicKey),
  });

  const notices = () => yibin().db.getRepository(Notice).count();
  const dropped = async (reason: string, claimedFrom = HUIZHOU) =>
    (
      await yibin()
        .db.getRepository(DropCount)
        .findOneBy({ reason: reason as never, claimedFrom })
    )?.count ?? 0;
  const rejectionsToHuizhou = () => toHuizhou().filter((e) => e.type === 'rejection');

  const sendValidNotice = async (): Promise<Envelope> => {
    const before = await notices();
    const envelope = sender.advance(sender.sign(sender.draft('notice', await notice())));
    await produce(JSON.stringify(envelope));
    await eventually(async () => (await notices()) === before + 1, 30000, 'a valid notice');
    return envelope;
  };

  const monitor = (path: string) =>
    request(yibin().url).get(path).set('Authorization', bearer(yibin(), 'admin'));

  beforeAll(async () => {
    net = await startTestNetwork([YIBIN, SHENZHEN], [YIBIN, SHENZHEN, HUIZHOU]);
    // an agreement between Yibin and the hand-driven Huizhou
    hand = await startHandPartner(net, HUIZHOU, yibin());
    sender = hand.sender;
    await establishAgreement(net.nodes[SHENZHEN], yibin(), YIBIN);
  });

  afterAll(async () => {
    await hand?.stop();
    await net.stop();
  });

  it('keeps bounded evidence of a record near the broker limit and goes on', async () => {
    const junk = randomBytes(NEAR_LIMIT);
    const json = Buffer.from(JSON.stringify({ id: 'x', payload: 'y'.repeat(NEAR_LIMIT - 40) }));
    await produce(junk);
    await produce(json);
    await eventually(
      async () => (await yibin().db.getRepository(DeadLetter).count()) === 2,
      30000,
      'two dead letters',
    );
    const letters = await yibin()
      .db.getRepository(DeadLetter)
      .find({ order: { id: 'ASC' } });
    expect(letters.map((l) => l.size)).toEqual([junk.length, json.length]);
    expect(letters[0].sha256).toBe(createHash('sha256').update(junk).digest('hex'));
    expect(Buffer.from(letters[0].head, 'base64')).toEqual(junk.subarray(0, 4096));
    expect(letters[1].error).toMatch(/limit 262144/);

    // the dead-letter topic holds the same bounded evidence, not a copy
    const onTopic = await readWholeTopic(deadLetterTopic(YIBIN, net.topicPrefix));
    expect(onTopic).toHaveLength(2);
    expect(onTopic.every((r) => (r.value?.length ?? 0) <= 4096)).toBe(true);

    // the list pages and stays small; one letter shows its kept bytes
    const page = await monitor('/exchange/dead-letters?limit=1').expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].head).toBeUndefined();
    expect(JSON.stringify(page.body).length).toBeLessThan(4096);
    const next = await monitor(`/exchange/dead-letters?limit=1&before=${page.body.next}`);
    expect((next.body as { items: DeadLetter[] }).items.map((l) => l.id)).toEqual([letters[0].id]);
    const whole = await monitor(`/exchange/dead-letters/${letters[0].id}`).expect(200);
    expect(whole.body.head).toBe(letters[0].head);
    const redrive = await request(yibin().url)
      .post(`/exchange/dead-letters/${letters[0].id}/redrive`)
      .set('Authorization', bearer(yibin(), 'admin'))
      .expect(409);
    expect(redrive.body.detail).toMatch(/whole record is in the log/);

    await sendValidNotice();
    expect((await monitor('/exchange/status').expect(200)).body.inbox.state).toBe('running');
  });

  it('never answers unsigned junk, counts it and keeps a sample, while other senders flow', async () => {
    const flood = 3000;
    const forger = generateNodeKeys();
    const junk = async () =>
      JSON.stringify(
        sender.sign(sender.draft('notice', await notice()), forger.signing.privateKey),
      );
    const records = [];
    for (let i = 0; i < flood; i++) records.push({ key: HUIZHOU, value: await junk() });
    const rejectionsBefore = rejectionsToHuizhou().length;

    // a valid notice from Shenzhen, alone, then during the flood
    const delivered = async () => {
      const before = await notices();
      const start = Date.now();
      await request(net.nodes[SHENZHEN].url)
        .post('/notices')
        .set('Authorization', bearer(net.nodes[SHENZHEN], 'coordinator'))
        .send({
          to: YIBIN,
          category: 'policy',
          domain: 'publicity',
          title: '深圳通报',
          text: '内容',
        })
        .expect(202);
      await eventually(async () => (await notices()) > before, 60000, 'the Shenzhen notice');
      return Date.now() - start;
    };
    const quiet = await delivered();
    const sending = (async () => {
      for (let i = 0; i < records.length; i += 500) {
        await hand.produceAll(records.slice(i, i + 500));
      }
    })();
    const duringFlood = await delivered();
    await sending;
    await eventually(
      async () => (await dropped('BAD_SIGNATURE')) === flood,
      60000,
      'the flood counted',
    );
    console.log(
      `flood of ${flood} forged records: a valid notice took ${quiet} ms alone, ${duringFlood} ms during the flood`,
    );

    // nothing went back to the node the junk claims to come from
    const last = await sendValidNotice(); // its receipt is the last thing Huizhou gets
    await eventually(
      () => toHuizhou().some((e) => e.type === 'receipt' && e.causationId === last.id),
      30000,
      'the receipt of the valid notice',
    );
    expect(rejectionsToHuizhou()).toHaveLength(rejectionsBefore);
    // evidence of a sample: the first twenty and every thousandth
    const kept = await yibin().db.getRepository(DroppedRecord).countBy({ reason: 'BAD_SIGNATURE' });
    expect(kept).toBe(20 + 3);
    const status = (await monitor('/exchange/status').expect(200)).body;
    expect(status.dropped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'BAD_SIGNATURE', claimedFrom: HUIZHOU, count: flood }),
      ]),
    );
  });

  it('drops a validly signed envelope under another key without touching the stream', async () => {
    const envelope = sender.sign(sender.draft('notice', await notice()));
    const before = await notices();
    const beforeRejections = await yibin().db.getRepository(RejectionRecord).count();
    await produce(JSON.stringify(envelope), SHENZHEN);
    await produce(JSON.stringify(envelope), null);
    await eventually(
      async () => (await dropped('KEY_MISMATCH')) === 2,
      30000,
      'two key mismatches',
    );
    expect(await notices()).toBe(before);
    expect(await yibin().db.getRepository(RejectionRecord).count()).toBe(beforeRejections);
    expect(await yibin().db.getRepository(InboxMessage).findOneBy({ id: envelope.id })).toBeNull();

    // the same envelope on its sender's key is still the next of the stream
    sender.advance(envelope);
    await produce(JSON.stringify(envelope));
    await eventually(async () => (await notices()) === before + 1, 30000, 'the notice on its key');
  });

  it('answers a replayed refused record once, shows the diverged stream and its recovery', async () => {
    const ahead = sender.sign(sender.draft('notice', await notice(), { seq: sender.seq + 5 }));
    for (let i = 0; i < 3; i++) await produce(JSON.stringify(ahead));
    await eventually(async () => (await dropped('REPLAYED')) === 2, 30000, 'two replays dropped');
    const gaps = await yibin()
      .db.getRepository(RejectionRecord)
      .findBy({ direction: 'sent', messageId: ahead.id });
    expect(gaps.map((g) => g.reason)).toEqual(['SEQ_GAP']);
    await eventually(
      () =>
        toHuizhou().filter((e) => e.type === 'rejection' && e.causationId === ahead.id).length ===
        1,
      30000,
      'one signed rejection',
    );

    const streams = (await monitor('/exchange/streams').expect(200)).body as {
      peer: string;
      direction: string;
      stalled: { reason: string; firstMessageId: string } | null;
    }[];
    expect(streams.find((s) => s.peer === HUIZHOU && s.direction === 'in')?.stalled).toMatchObject({
      reason: 'SEQ_GAP',
      firstMessageId: ahead.id,
    });
    const ready = await request(yibin().url).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'degraded', checks: { stalledStreams: 1 } });

    await sendValidNotice();
    const after = (await monitor('/exchange/streams').expect(200)).body as typeof streams;
    expect(after.find((s) => s.peer === HUIZHOU && s.direction === 'in')?.stalled).toBeNull();
    expect((await request(yibin().url).get('/health/ready').expect(200)).body.status).toBe('ready');
  });

  it('keeps a receipt that cannot enter its stream as evidence', async () => {
    const stray = sender.sign(
      sender.draft(
        'receipt',
        { messageId: uuidLike(), messageHash: 'A'.repeat(43), brokerTime: Date.now() },
        { seq: sender.seq + 3 },
      ),
    );
    await produce(JSON.stringify(stray));
    await eventually(
      async () =>
        (await yibin().db.getRepository(RejectionRecord).countBy({ messageId: stray.id })) === 1,
      30000,
      'the refused receipt on record',
    );
    const kept = await yibin()
      .db.getRepository(RejectionRecord)
      .findOneByOrFail({ messageId: stray.id });
    expect(kept).toMatchObject({ reason: 'SEQ_GAP', published: false });
    expect(JSON.parse(kept.evidence ?? 'null')).toEqual(stray);
    await sendValidNotice();
  });

  it('stops the consumer visibly when the database keeps failing, instead of spinning', async () => {
    await yibin().db.query(
      `CREATE TRIGGER inbox_refused BEFORE INSERT ON exchange_inbox BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    await produce(
      JSON.stringify(sender.advance(sender.sign(sender.draft('notice', await notice())))),
    );
    await eventually(
      async () => (await request(yibin().url).get('/health/ready')).status === 503,
      30000,
      'readiness to fail',
    );
    const retrying = (await request(yibin().url).get('/health/ready')).body;
    expect(retrying).toMatchObject({ code: 'NOT_READY' });
    await eventually(
      async () => (await monitor('/exchange/status')).body.inbox.state === 'stopped',
      60000,
      'the consumer to stop',
    );
    const status = (await monitor('/exchange/status')).body.inbox;
    expect(status).toMatchObject({ state: 'stopped', attempts: 5 });
    expect(status.lastError).toMatch(/disk full/);
    await yibin().db.query('DROP TRIGGER inbox_refused');
  });
});

function uuidLike(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
