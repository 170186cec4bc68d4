/**
 * Proves the kafkajs features the exchange relies on against the real broker
 * from deploy/kafka: topics with LogAppendTime, idempotent produce, group
 * consumption with manual offset commits, and resuming at the committed offset.
 */
import { Admin, Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { testKafka, uniqueName } from '../support/kafka';

describe('kafkajs against the local Kafka broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const topic = uniqueName('broker-proof');
  const groupId = uniqueName('broker-proof-group');

  beforeAll(async () => {
    kafka = testKafka('broker-proof');
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates a 3-partition topic with broker-assigned timestamps', async () => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 3,
          configEntries: [
            { name: 'message.timestamp.type', value: 'LogAppendTime' },
            { name: 'retention.ms', value: '-1' },
          ],
        },
      ],
    });
    expect(created).toBe(true);

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions).toHaveLength(3);

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['message.timestamp.type'] }],
    });
    expect(configs.resources[0].configEntries[0].configValue).toBe('LogAppendTime');
  });

  it('stamps records with the broker time, not the producer time', async () => {
    const claimed = Date.parse('2001-01-01T00:00:00Z');
    const before = Date.now();
    await producer.send({
      topic,
      messages: [{ key: 'time', value: 'probe', timestamp: String(claimed) }],
    });
    const after = Date.now();

    const offsets = await admin.fetchTopicOffsets(topic);
    const partition = offsets.find((p) => p.high !== '0');
    expect(partition).toBeDefined();

    const seen = await consumeUntil(kafka, uniqueName('time-group'), topic, 1);
    const stamp = Number(seen[0].message.timestamp);
    expect(stamp).not.toBe(claimed);
    expect(stamp).toBeGreaterThanOrEqual(before - 1000);
    expect(stamp).toBeLessThanOrEqual(after + 1000);
  });

  it('resumes a consumer group at the offset it committed', async () => {
    const values = Array.from({ length: 30 }, (_, i) => `m${i}`);
    // one key per sender, as the exchange does: per-key order within a partition
    await producer.send({
      topic,
      messages: values.map((value, i) => ({ key: `sender-${i % 3}`, value })),
    });

    // first run: process (and commit) only the first 10 records of the group's view
    const firstRun = await consumeUntil(kafka, groupId, topic, 10, { skip: ['probe'] });
    expect(firstRun.map((m) => m.message.value?.toString())).toHaveLength(10);

    // second run with the same group: exactly the remaining records, none twice
    const secondRun = await consumeUntil(kafka, groupId, topic, values.length - 10, {
      skip: ['probe'],
    });
    const all = [...firstRun, ...secondRun].map((m) => m.message.value?.toString());
    expect(new Set(all).size).toBe(values.length);
    expect([...all].sort()).toEqual([...values].sort());

    // per-key order survives partitioning
    for (const key of ['sender-0', 'sender-1', 'sender-2']) {
      const ofKey = [...firstRun, ...secondRun]
        .filter((m) => m.message.key?.toString() === key)
        .sort((a, b) => Number(a.message.offset) - Number(b.message.offset))
        .map((m) => Number(m.message.value?.toString().slice(1)));
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
  });
});

/**
 * Consumes in a group with auto-commit off, committing offset+1 after each
 * processed record, and stops after `count` records (ignoring values in skip).
 */
async function consumeUntil(
  kafka: Kafka,
  groupId: string,
  topic: string,
  count: number,
  options: { skip?: string[] } = {},
): Promise<EachMessagePayload[]> {
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10000 });
  const seen: EachMessagePayload[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${seen.length}/${count} records in time`)),
      60000,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async (payload) => {
          if (seen.length >= count) return;
          const value = payload.message.value?.toString() ?? '';
          if (!options.skip?.includes(value)) seen.push(payload);
          await consumer.commitOffsets([
            {
              topic: payload.topic,
              partition: payload.partition,
              offset: (BigInt(payload.message.offset) + 1n).toString(),
            },
          ]);
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}
