/**
 * Dead letters and their re-drive: a notice whose handler keeps failing is
 * kept as a dead letter without holding back the stream; once the fault is
 * fixed an admin re-drives it and it is applied and receipted exactly once.
 * A record that still cannot be parsed stays a dead letter and changes nothing.
 */
import request from 'supertest';
import { inboxTopic } from '@yipanqi/contracts';
import { DeadLetter, InboxMessage, OutboxMessage } from '@yipanqi/exchange';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { establishAgreement } from '../support/agreements';
import { bearer, eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';
import { testKafka } from '../support/kafka';

const HUIZHOU = '441300';
const YIBIN = '511500';

describe('dead letter re-drive', () => {
  let net: TestNetwork;
  const huizhou = () => net.nodes[HUIZHOU];
  const yibin = () => net.nodes[YIBIN];

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN]);
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
  });
  afterAll(() => net.stop());

  const sendNotice = async (title: string): Promise<string> => {
    const res = await request(huizhou().url)
      .post('/notices')
      .set('Authorization', bearer(huizhou(), 'coordinator'))
      .send({ to: YIBIN, category: 'policy', domain: 'publicity', title, text: '内容' })
      .expect(202);
    return res.body.id as string;
  };

  const redrive = (id: number) =>
    request(yibin().url)
      .post(`/exchange/dead-letters/${id}/redrive`)
      .set('Authorization', bearer(yibin(), 'admin'));

  const deadLetters = async () =>
    (
      await request(yibin().url)
        .get('/exchange/dead-letters')
        .set('Authorization', bearer(yibin(), 'admin'))
        .expect(200)
    ).body.items as DeadLetter[];

  const answerAtSender = async (id: string) =>
    (await huizhou().db.getRepository(OutboxMessage).findOneByOrFail({ id })).answer;

  let stuckId: string;
  let stuckLetter: number;

  it('keeps a notice whose handler keeps failing as a dead letter and goes on', async () => {
    // a fault on the receiving side: the notice table refuses writes
    await yibin().db.query(
      `CREATE TRIGGER notice_refused BEFORE INSERT ON notice BEGIN SELECT RAISE(ABORT, 'notice table under maintenance'); END`,
    );
    stuckId = await sendNotice('卡住的通报');
    await eventually(async () => (await deadLetters()).length === 1, 30000, 'a dead letter');
    const [letter] = await deadLetters();
    stuckLetter = letter.id;
    expect(letter.error).toMatch(/handler failed 3 times.*notice table under maintenance/s);
    expect(letter.redrivenAt).toBeNull();
    expect(
      await yibin().db.getRepository(InboxMessage).findOneByOrFail({ id: stuckId }),
    ).toMatchObject({
      outcome: 'dead-lettered',
    });
    expect(await yibin().db.getRepository(Notice).count()).toBe(0);

    // the fault is fixed; the stream was not held back
    await yibin().db.query('DROP TRIGGER notice_refused');
    const nextId = await sendNotice('下一条通报');
    await eventually(
      async () => (await answerAtSender(nextId)) === 'receipt',
      30000,
      'next receipt',
    );
    expect(await answerAtSender(stuckId)).toBeNull();
  });

  it('applies and receipts the dead letter once an admin re-drives it', async () => {
    const res = await redrive(stuckLetter).expect(200);
    expect(res.body).toEqual({ outcome: 'applied', messageId: stuckId, reason: null });
    await eventually(async () => (await answerAtSender(stuckId)) === 'receipt', 30000, 'receipt');
    expect(await yibin().db.getRepository(Notice).countBy({ id: stuckId })).toBe(1);
    expect((await deadLetters())[0].redrivenAt).not.toBeNull();

    const again = await redrive(stuckLetter);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'REDRIVE_FAILED', detail: 'already re-driven' });
    expect(await yibin().db.getRepository(Notice).count()).toBe(2);
  });

  it('leaves a record that still cannot be parsed as it was', async () => {
    const producer = testKafka('redrive-test').producer();
    await producer.connect();
    await producer.send({
      topic: inboxTopic(YIBIN, net.topicPrefix),
      messages: [{ key: HUIZHOU, value: 'not json at all' }],
    });
    await producer.disconnect();
    await eventually(async () => (await deadLetters()).length === 2, 30000, 'second dead letter');
    const garbage = (await deadLetters())[0];

    const res = await redrive(garbage.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('REDRIVE_FAILED');
    expect(res.body.detail).toMatch(/^still unparseable/);
    expect(await deadLetters()).toHaveLength(2);
    expect((await deadLetters())[0].redrivenAt).toBeNull();
    expect(await yibin().db.getRepository(InboxMessage).countBy({ type: 'notice' })).toBe(2);
  });

  it('answers 404 for a dead letter that does not exist', async () => {
    const res = await redrive(999999);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('DEAD_LETTER_NOT_FOUND');
  });
});
