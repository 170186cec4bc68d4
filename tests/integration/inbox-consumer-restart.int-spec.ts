/**
 * An inbox consumer that kafkajs gives up on for good (a crash it deems not
 * retriable) is recreated by the node: readiness shows it meanwhile, and the
 * inbox takes traffic again once the cause is gone. The crash is provoked the
 * way a foreign client can: by holding the node's consumer group with a
 * protocol the node does not speak, while the node starts.
 */
import request from 'supertest';
import { AssignerProtocol, Consumer, PartitionAssigner } from 'kafkajs';
import { InboxConsumerView } from '@yipanqi/exchange';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { establishAgreement } from '../support/agreements';
import {
  bearer,
  eventually,
  restartTestNode,
  startTestNetwork,
  TestNetwork,
} from '../support/city-nodes';
import { testKafka } from '../support/kafka';

const HUIZHOU = '441300';
const YIBIN = '511500';

/** An assigner no node uses: a group holding it refuses every node's join. */
const squatterAssigner: PartitionAssigner = () => ({
  name: 'squatter',
  version: 1,
  // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
  assign: async ({ members }) =>
    members.map((m) => ({
      memberId: m.memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: {},
        userData: Buffer.alloc(0),
      }),
    })),
  protocol: ({ topics }) => ({
    name: 'squatter',
    metadata: AssignerProtocol.MemberMetadata.encode({
      version: 1,
      topics,
      userData: Buffer.alloc(0),
    }),
  }),
});

describe('an inbox consumer kafkajs gave up on', () => {
  let net: TestNetwork;
  let squatter: Consumer | undefined;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN]);
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN);
  });

  afterAll(async () => {
    await squatter?.disconnect();
    await net.stop();
  });

  it('is recreated by the node, visibly, and the inbox takes traffic again', async () => {
    const groupId = `${net.topicPrefix}.node.${YIBIN}`;
    const squatTopic = `${net.topicPrefix}.squat`;
    const yibin = await restartTestNode(net, YIBIN, async () => {
      const admin = testKafka('squatter-admin').admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: squatTopic, numPartitions: 1 }] });
      await admin.disconnect();
      squatter = testKafka('squatter').consumer({
        groupId,
        partitionAssigners: [squatterAssigner],
      });
      let joined = false;
      squatter.on(squatter.events.GROUP_JOIN, () => (joined = true));
      await squatter.connect();
      await squatter.subscribe({ topic: squatTopic });
      await squatter.run({ eachMessage: () => Promise.resolve() });
      await eventually(() => joined, 30000, 'the squatter to hold the group');
    });
    const status = async (): Promise<InboxConsumerView> =>
      (
        await request(yibin.url)
          .get('/exchange/status')
          .set('Authorization', bearer(yibin, 'admin'))
      ).body.inbox as InboxConsumerView;

    await eventually(
      async () => (await status()).state === 'retrying',
      30000,
      async () => `the consumer to be retrying (it is ${JSON.stringify(await status())})`,
    );
    expect((await status()).lastError).toMatch(/incompatible/);
    const ready = await request(yibin.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      code: 'NOT_READY',
      checks: { inbox: { state: 'retrying' } },
    });

    const huizhou = net.nodes[HUIZHOU];
    await request(huizhou.url)
      .post('/notices')
      .set('Authorization', bearer(huizhou, 'coordinator'))
      .send({ to: YIBIN, category: 'policy', domain: 'publicity', title: '通报', text: '内容' })
      .expect(202);

    await squatter?.disconnect();
    squatter = undefined;
    const received = () =>
      yibin.db.getRepository(Notice).count({ where: { direction: 'received' } });
    await eventually(
      async () => (await received()) === 1,
      120000,
      async () => `the notice at Yibin (inbox ${JSON.stringify(await status())})`,
    );
    const after = await status();
    expect(after).toMatchObject({ state: 'running', lastError: null });
    expect(after.partitions.length).toBeGreaterThan(0);
    expect((await request(yibin.url).get('/health/ready')).status).toBe(200);
  });
});
