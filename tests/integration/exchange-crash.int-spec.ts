/**
 * Crashes: city nodes run as processes of their own and are killed with
 * SIGKILL at the worst moments. Nothing is lost and nothing is applied twice.
 */
import { inboxTopic } from '@yipanqi/contracts';
import { eventually } from '../support/city-nodes';
import {
  expectExactlyOnce,
  NodeProcess,
  ProcessNetwork,
  receiptsAtSender,
  recordsOnTopic,
  sendNotices,
  settled,
  startProcessNetwork,
} from '../support/node-process';
import { establishAgreement } from '../support/agreements';

const HUIZHOU = '441300';
const YIBIN = '511500';

describe('crashing city nodes', () => {
  let net: ProcessNetwork;
  let sender: NodeProcess;
  let receiver: NodeProcess;

  // a short session so that a killed node's partitions move on quickly
  beforeEach(async () => {
    net = await startProcessNetwork([HUIZHOU, YIBIN], { KAFKA_SESSION_TIMEOUT_MS: '6000' });
    sender = net.nodes[HUIZHOU];
    receiver = net.nodes[YIBIN];
  });

  afterEach(() => net.stop());

  it('loses nothing and applies nothing twice when the receiver is killed mid-stream', async () => {
    const count = 3000;
    await Promise.all([sender.start(), receiver.start()]);
    await establishAgreement(sender, receiver, YIBIN);
    const sending = sendNotices(sender, YIBIN, count);

    await eventually(
      () => receiver.count(`SELECT COUNT(*) n FROM notice`) >= 300,
      60000,
      'the receiver to be mid-stream',
    );
    await receiver.kill();
    const appliedAtKill = receiver.count(`SELECT COUNT(*) n FROM notice`);
    expect(appliedAtKill).toBeLessThan(count);

    await sending;
    await receiver.start();
    await eventually(() => receiptsAtSender(sender) === count, 120000, 'every receipt');
    expectExactlyOnce(sender, receiver, count);
  });

  it.each(['before-publish', 'after-publish'])(
    'delivers exactly once when the sender is killed %s',
    async (crashPoint) => {
      await Promise.all([sender.start(), receiver.start()]);
      await establishAgreement(sender, receiver, YIBIN);
      await eventually(() => settled(sender, receiver), 30000, 'the agreement traffic to settle');
      const recordsBefore = await recordsOnTopic(inboxTopic(YIBIN, net.topicPrefix));
      await sender.kill();
      await sender.start({ EXCHANGE_CRASH_POINT: crashPoint });
      // the relay kills the sender right after this commit, maybe before the answer is out
      await sendNotices(sender, YIBIN, 1, 1).catch(() => undefined);
      expect(await sender.exit()).toBe('SIGKILL');
      expect(sender.count(`SELECT COUNT(*) n FROM exchange_outbox WHERE type = 'notice'`)).toBe(1);
      expect(sender.count(`SELECT COUNT(*) n FROM exchange_outbox WHERE sent_at IS NULL`)).toBe(1);

      await sender.start();
      await sendNotices(sender, YIBIN, 2, 1);
      await eventually(() => receiptsAtSender(sender) === 3, 60000, 'three receipts');
      expectExactlyOnce(sender, receiver, 3);
      // after-publish: the first notice is on the receiver's topic twice, and the
      // second copy was recognised as a redelivery (no rejection, no second effect)
      expect(await recordsOnTopic(inboxTopic(YIBIN, net.topicPrefix))).toBe(
        recordsBefore + (crashPoint === 'after-publish' ? 4 : 3),
      );
      expect(receiver.count(`SELECT COUNT(*) n FROM exchange_rejection`)).toBe(0);
    },
  );
});
