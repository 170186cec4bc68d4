/**
 * Two real city nodes exchange notices over the real broker: every notice is
 * applied once and receipted, both ends agree on the stream's seq and hash.
 */
import request from 'supertest';
import { IsNull, Not } from 'typeorm';
import { InboxMessage, OutboxMessage, StreamState } from '@yipanqi/exchange';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { establishAgreement } from '../support/agreements';
import { bearer, eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';

const HUIZHOU = '441300';
const YIBIN = '511500';

// The 10,000-notice run is exchange-volume.int-spec.ts (nodes as processes of their own).
describe.each([
  ['sqlite', 1000],
  ['postgres', 1000],
] as const)('exchange between two city nodes on %s', (database, count) => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], database);
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
  });

  afterAll(() => net.stop());

  it('delivers each notice once, receipts each one, and both ends agree on the chain', async () => {
    const sender = net.nodes[HUIZHOU];
    const receiver = net.nodes[YIBIN];
    let next = 0;
    const sendWorker = async () => {
      while (next < count) {
        const i = next++;
        await request(sender.url)
          .post('/notices')
          .set('Authorization', bearer(sender, 'coordinator'))
          .send({
            to: YIBIN,
            category: 'policy',
            domain: 'publicity',
            title: `通报 ${i}`,
            text: '宣传教育活动安排',
          })
          .expect(202);
      }
    };
    await Promise.all(Array.from({ length: 16 }, sendWorker));

    await eventually(
      async () =>
        (await receiver.db.getRepository(Notice).count({ where: { direction: 'received' } })) ===
        count,
      180000,
      'all notices at the receiver',
    );
    await eventually(
      async () =>
        (await sender.db
          .getRepository(OutboxMessage)
          .count({ where: { type: 'notice', answer: 'receipt' } })) === count,
      180000,
      'a receipt for every notice',
    );

    const inbox = await receiver.db
      .getRepository(InboxMessage)
      .find({ where: { from: HUIZHOU, type: 'notice' } });
    expect(inbox).toHaveLength(count);
    expect(new Set(inbox.map((m) => m.id)).size).toBe(count);
    expect(inbox.every((m) => m.outcome === 'applied')).toBe(true);

    const out = await sender.db
      .getRepository(StreamState)
      .findOneByOrFail({ peer: YIBIN, direction: 'out' });
    const inn = await receiver.db
      .getRepository(StreamState)
      .findOneByOrFail({ peer: HUIZHOU, direction: 'in' });
    // every envelope to Yibin (the agreement's and the notices) has its place, no gaps
    expect(inn).toMatchObject({ lastSeq: out.lastSeq, lastHash: out.lastHash });
    expect(out.lastSeq).toBe(
      await sender.db.getRepository(OutboxMessage).count({ where: { peer: YIBIN } }),
    );

    // receipts are a stream of their own, in the other direction
    const receiptsOut = await receiver.db
      .getRepository(StreamState)
      .findOneByOrFail({ peer: HUIZHOU, direction: 'out' });
    const receiptsIn = await sender.db
      .getRepository(StreamState)
      .findOneByOrFail({ peer: YIBIN, direction: 'in' });
    expect(receiptsIn).toMatchObject({
      lastSeq: receiptsOut.lastSeq,
      lastHash: receiptsOut.lastHash,
    });
    expect(receiptsOut.lastSeq).toBe(
      await receiver.db.getRepository(OutboxMessage).count({ where: { peer: HUIZHOU } }),
    );

    // the notice text is stored encrypted on both sides
    const stored = await receiver.db
      .getRepository(Notice)
      .findOneByOrFail({ direction: 'received' });
    expect(stored.pii.split('.')).toHaveLength(5);
    expect(stored.pii).not.toContain('宣传');
    expect(
      await sender.db.getRepository(OutboxMessage).count({ where: { sentAt: IsNull() } }),
    ).toBe(0);
    expect(
      await sender.db.getRepository(OutboxMessage).count({ where: { answer: Not('receipt') } }),
    ).toBe(0);

    // the sender knows when each message counted as sent: the broker time its
    // record got in the receiver's inbox, which the receipt also states, signed
    const brokerTimes = new Map(inbox.map((m) => [m.id, m.brokerTime]));
    const sent = await sender.db
      .getRepository(OutboxMessage)
      .find({ where: { peer: YIBIN, type: 'notice' } });
    expect(sent.filter((m) => m.brokerTime !== brokerTimes.get(m.id))).toEqual([]);
    const receipts = await sender.db
      .getRepository(InboxMessage)
      .find({ where: { from: YIBIN, type: 'receipt' } });
    const stated = receipts.map((r) => {
      const payload = (
        JSON.parse(r.envelope) as { payload: { messageId: string; brokerTime: number } }
      ).payload;
      return [payload.messageId, payload.brokerTime] as const;
    });
    expect(stated.filter(([id, t]) => brokerTimes.has(id) && brokerTimes.get(id) !== t)).toEqual(
      [],
    );
    expect(stated.filter(([id]) => brokerTimes.has(id))).toHaveLength(count);
  });
});
