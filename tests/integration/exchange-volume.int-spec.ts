/**
 * Volume: two city nodes, each a process of its own on SQLite, exchange
 * 10,000 notices through the send API. Every notice is applied once and
 * receipted once, and both ends agree on both streams' chains.
 */
import { establishAgreement } from '../support/agreements';
import { eventually } from '../support/city-nodes';
import {
  expectExactlyOnce,
  expectIntactStream,
  ProcessNetwork,
  receiptsAtSender,
  sendNotices,
  startProcessNetwork,
} from '../support/node-process';

const HUIZHOU = '441300';
const YIBIN = '511500';

describe('10,000 notices between two city nodes', () => {
  let net: ProcessNetwork;

  beforeAll(async () => {
    net = await startProcessNetwork([HUIZHOU, YIBIN]);
    await Promise.all(Object.values(net.nodes).map((n) => n.start()));
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
  });

  afterAll(() => net.stop());

  it('applies and receipts every one exactly once, with intact chains', async () => {
    const count = 10000;
    const sender = net.nodes[HUIZHOU];
    const receiver = net.nodes[YIBIN];
    await sendNotices(sender, YIBIN, count, 16);
    await eventually(() => receiptsAtSender(sender) === count, 300000, 'every receipt');
    expectExactlyOnce(sender, receiver, count);

    // the receipts' own stream (receiver → sender) is intact too
    expectIntactStream(receiver, sender);
  }, 420000);
});
