/**
 * Faults of a three-broker cluster and of a node's replicas, mid-stream.
 *
 * The suite runs its own cluster (kafka.sh up --nodes 3 on ports 9192–9194,
 * data in .local/kafka-faults, wiped afterwards), never the shared broker on
 * 9092. Inbox topics there have replication factor 3 and
 * min.insync.replicas=2; producers use acks=-1. In each scenario one city node
 * streams notices to another while a fault strikes: the broker leading the
 * stream's partition is SIGKILLed (and later restarted), the whole cluster is
 * SIGKILLed and started again, or one of the receiver's two PostgreSQL
 * replicas is SIGKILLed (its partitions move to the other). Each time: nothing
 * lost, nothing applied twice, both ends hold the same chains, and the time to
 * recover is printed (`fault-suite: <scenario> recovered in <s> s`).
 * docs/operations.md, "Cluster and replica faults", has the measurements.
 */
import { join, resolve } from 'node:path';
import { ConfigResourceTypes } from 'kafkajs';
import { deadLetterTopic, inboxTopic } from '@yipanqi/contracts';
import { api, establishAgreement } from '../support/agreements';
import { eventually } from '../support/city-nodes';
import {
  expectDeliveredExactlyOnce,
  FaultCluster,
  FaultNetwork,
  startFaultNetwork,
} from '../support/fault-cluster';
import { NodeProcess, receiptsAtSender, sendNotices } from '../support/node-process';

const HUIZHOU = '441300';
const YIBIN = '511500';
/** notices per stream */
const COUNT = 400;
/** the fault strikes once this many have been applied (and before all are) */
const MID_STREAM = 80;
/** a killed replica's partitions move on after this long */
const NODE_ENV = { KAFKA_SESSION_TIMEOUT_MS: '6000' };
const DELIVERY_DEADLINE_MS = 120000;

const cluster = new FaultCluster({
  port: 9192,
  controllerPort: 10192,
  dataDir: join(resolve(__dirname, '../..'), '.local/kafka-faults'),
  nodes: 3,
});

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** DYNAMIC_TOPIC_CONFIG: set on the topic itself when it was created, not a broker default */
const TOPIC_CONFIG_SOURCE = 1;

describe('cluster and replica faults on three brokers', () => {
  const previousBrokers = process.env.KAFKA_BROKERS;
  const everyProcess: NodeProcess[] = [];
  let net: FaultNetwork | undefined;

  beforeAll(async () => {
    // the coordinator (in this process) and every node process use the fault cluster
    process.env.KAFKA_BROKERS = cluster.brokers.join(',');
    await cluster.up();
  }, 180000);

  afterEach(async () => {
    await net?.stop();
    net = undefined;
  }, 60000);

  afterAll(async () => {
    try {
      await net?.stop();
    } finally {
      await cluster.reset();
      if (previousBrokers === undefined) delete process.env.KAFKA_BROKERS;
      else process.env.KAFKA_BROKERS = previousBrokers;
    }
    expect(cluster.down).toBe(true);
    expect(everyProcess.filter((p) => p.running).map((p) => p.code)).toEqual([]);
  }, 120000);

  // every scenario starts on a whole cluster, even after one that failed half-way
  beforeEach(async () => {
    await cluster.up();
  }, 180000);

  async function network(receiverReplicas = 1): Promise<FaultNetwork> {
    net = await startFaultNetwork(HUIZHOU, YIBIN, { receiverReplicas, env: NODE_ENV });
    everyProcess.push(...net.processes);
    return net;
  }

  /** Both nodes' topics: 3 replicas per partition, min.insync.replicas=2 set on the topic. */
  async function expectReplicatedTopics(prefix: string): Promise<void> {
    const topics = [HUIZHOU, YIBIN].flatMap((code) => [
      inboxTopic(code, prefix),
      deadLetterTopic(code, prefix),
    ]);
    await cluster.withAdmin(async (admin) => {
      const metadata = await admin.fetchTopicMetadata({ topics });
      for (const topic of metadata.topics) {
        expect({
          topic: topic.name,
          replicas: topic.partitions.map((p) => p.replicas.length),
        }).toEqual({
          topic: topic.name,
          replicas: topic.name.includes('.inbox.') ? [3, 3, 3] : [3],
        });
      }
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['min.insync.replicas'],
        })),
      });
      for (const resource of configs.resources) {
        expect(
          resource.configEntries.map((e) => ({
            topic: resource.resourceName,
            value: e.configValue,
            source: e.configSource,
          })),
        ).toEqual([{ topic: resource.resourceName, value: '2', source: TOPIC_CONFIG_SOURCE }]);
      }
    });
  }

  /** The partition of the receiver's inbox the sender's stream is on (its only records so far). */
  async function streamPartition(prefix: string): Promise<number> {
    const offsets = await cluster.withAdmin((admin) =>
      admin.fetchTopicOffsets(inboxTopic(YIBIN, prefix)),
    );
    const used = offsets.filter((p) => Number(p.high) > 0).map((p) => p.partition);
    expect(used).toHaveLength(1);
    return used[0];
  }

  /** Starts the nodes, signs the agreement, checks the topics and starts streaming COUNT notices. */
  async function startStream(
    n: FaultNetwork,
  ): Promise<{ sending: Promise<void>; partition: number }> {
    await n.sender.start();
    // one after another: replicas of one database do not race on its migrations
    for (const replica of n.receivers) await replica.start();
    await establishAgreement(n.sender, n.receivers[0], YIBIN);
    await expectReplicatedTopics(n.topicPrefix);
    const partition = await streamPartition(n.topicPrefix);
    const sending = sendNotices(n.sender, YIBIN, COUNT);
    // awaited later; a failure still fails the test there
    sending.catch(() => undefined);
    return { sending, partition };
  }

  const applied = (n: FaultNetwork) =>
    n.receiverLedger.count(
      `SELECT COUNT(*) AS n FROM exchange_inbox WHERE type = 'notice' AND sender = ?`,
      HUIZHOU,
    );

  async function midStream(n: FaultNetwork): Promise<number> {
    await eventually(
      async () => (await applied(n)) >= MID_STREAM,
      60000,
      'the stream to be under way',
    );
    return applied(n);
  }

  /** Where the stream stands, and the processes' last words: the message of a timeout. */
  async function describeStream(n: FaultNetwork): Promise<string> {
    const published = n.sender.count(
      `SELECT COUNT(*) n FROM exchange_outbox WHERE type = 'notice' AND sent_at IS NOT NULL`,
    );
    const lines = [
      `${COUNT} receipts; sender published ${published}, received ${receiptsAtSender(n.sender)} ` +
        `receipts; receiver applied ${await applied(n)}`,
    ];
    for (const p of n.processes) {
      const status = p.running
        ? await api(p, 'GET', '/exchange/status', undefined, 'admin').then(
            (r) => JSON.stringify(r.body),
            (err: Error) => err.message,
          )
        : 'not running';
      lines.push(`--- ${p.code} on ${p.port}: ${status}`, p.log.slice(-3000));
    }
    return lines.join('\n');
  }

  /** Every notice receipted at the sender; returns when (epoch ms). */
  async function fullyReceipted(n: FaultNetwork): Promise<number> {
    await eventually(
      () => receiptsAtSender(n.sender) === COUNT,
      DELIVERY_DEADLINE_MS,
      () => describeStream(n),
    );
    return Date.now();
  }

  it('survives a SIGKILL of the leader of the stream’s partition, and its restart', async () => {
    const n = await network();
    const { sending, partition } = await startStream(n);
    const topic = inboxTopic(YIBIN, n.topicPrefix);
    await midStream(n);
    const { leader } = await cluster.partition(topic, partition);
    const struck = Date.now();
    await cluster.kill(leader);
    expect(await applied(n)).toBeLessThan(COUNT);

    // two in-sync replicas remain: the stream completes while the broker is down
    const recovered = await fullyReceipted(n);
    await sending;
    expect(cluster.pid(leader)).toBeUndefined();
    const moved = await cluster.partition(topic, partition);
    expect(moved.leader).not.toBe(leader);

    await cluster.up();
    await eventually(
      async () => (await cluster.partition(topic, partition)).isr.length === 3,
      60000,
      `broker ${leader} back in the partition's in-sync replicas`,
    );
    await expectDeliveredExactlyOnce(n.senderLedger, n.receiverLedger, COUNT);
    console.log(
      `fault-suite: leader-kill recovered in ${seconds(recovered - struck)} s ` +
        `(broker ${leader} killed, partition ${partition} led by ${moved.leader} meanwhile)`,
    );
  }, 200000);

  it('survives a SIGKILL of the whole cluster and its restart', async () => {
    const n = await network();
    const { sending } = await startStream(n);
    await midStream(n);
    const struck = Date.now();
    await cluster.killAll();
    expect(await applied(n)).toBeLessThan(COUNT);
    expect(cluster.down).toBe(true);

    await cluster.up();
    const back = Date.now();
    const recovered = await fullyReceipted(n);
    await sending;
    await expectDeliveredExactlyOnce(n.senderLedger, n.receiverLedger, COUNT);
    console.log(
      `fault-suite: cluster-restart recovered in ${seconds(recovered - struck)} s ` +
        `(cluster down and restarting ${seconds(back - struck)} s, ` +
        `delivered ${seconds(recovered - back)} s after it served again)`,
    );
  }, 200000);

  it('moves the stream to the other replica when the one consuming it is SIGKILLed', async () => {
    const n = await network(2);
    const partitionsOf = async (replica: NodeProcess): Promise<number[]> => {
      const res = await api<{ inbox: { partitions: number[] } }>(
        replica,
        'GET',
        '/exchange/status',
        undefined,
        'admin',
      );
      return res.status === 200 ? res.body.inbox.partitions : [];
    };
    const { sending, partition } = await startStream(n);
    // both replicas in the group, the three partitions shared between them
    let held: number[][] = [];
    await eventually(
      async () => {
        held = await Promise.all(n.receivers.map(partitionsOf));
        return held.every((p) => p.length > 0) && held.flat().length === 3;
      },
      60000,
      'both replicas to hold partitions',
    );
    const owner = held.findIndex((p) => p.includes(partition));
    const [victim, survivor] = [n.receivers[owner], n.receivers[1 - owner]];
    await midStream(n);
    const struck = Date.now();
    await victim.kill();
    expect(await applied(n)).toBeLessThan(COUNT);

    await eventually(
      async () => (await partitionsOf(survivor)).includes(partition),
      60000,
      `the surviving replica to take partition ${partition}`,
    );
    const takenOver = Date.now();
    const recovered = await fullyReceipted(n);
    await sending;
    expect(await partitionsOf(survivor)).toEqual([0, 1, 2]);
    await expectDeliveredExactlyOnce(n.senderLedger, n.receiverLedger, COUNT);
    console.log(
      `fault-suite: replica-kill recovered in ${seconds(recovered - struck)} s ` +
        `(partition ${partition} taken over after ${seconds(takenOver - struck)} s)`,
    );
  }, 200000);
});
