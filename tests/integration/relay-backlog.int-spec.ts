/**
 * A partner that is not there yet: its notices wait in the outbox without
 * holding up other partners, and once it starts the whole backlog — more than
 * Kafka takes in one request — arrives in order, each notice once.
 */
import { eventually } from '../support/city-nodes';
import {
  expectExactlyOnce,
  ProcessNetwork,
  sendNotices,
  startProcessNetwork,
} from '../support/node-process';

const HUIZHOU = '441300';
const SHENZHEN = '440300';
const YIBIN = '511500';

describe('outbox backlog', () => {
  let net: ProcessNetwork;

  beforeAll(async () => {
    net = await startProcessNetwork([HUIZHOU, SHENZHEN, YIBIN]);
  });
  afterAll(() => net.stop());

  it('keeps a backlog for an absent partner and delivers it all when it starts', async () => {
    const huizhou = net.nodes[HUIZHOU];
    const shenzhen = net.nodes[SHENZHEN];
    const yibin = net.nodes[YIBIN];
    await Promise.all([huizhou.start(), shenzhen.start()]);

    // 1,200 notices are ≈ 1.5 MB of envelopes: more than one Kafka request may carry
    const backlog = 1200;
    await sendNotices(huizhou, YIBIN, backlog, 16);
    await sendNotices(huizhou, SHENZHEN, 5, 1);
    await eventually(
      () => shenzhen.count(`SELECT COUNT(*) n FROM notice`) === 5,
      60000,
      'Shenzhen to get its notices while Yibin is absent',
    );
    const pending = (peer: string) =>
      huizhou.count(
        `SELECT COUNT(*) n FROM exchange_outbox WHERE peer = ? AND sent_at IS NULL`,
        peer,
      );
    expect(pending(YIBIN)).toBe(backlog);

    await yibin.start();
    await eventually(
      () =>
        huizhou.count(
          `SELECT COUNT(*) n FROM exchange_outbox WHERE peer = ? AND answer = 'receipt'`,
          YIBIN,
        ) === backlog,
      120000,
      'a receipt for the whole backlog',
    );
    expect(pending(YIBIN)).toBe(0);
    expectExactlyOnce(huizhou, yibin, backlog);
    expectExactlyOnce(huizhou, shenzhen, 5);
  });
});
