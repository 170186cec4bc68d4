import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSettingsFromEnv } from '@yipanqi/exchange';

/** A kafkajs client on the cluster the test run uses (see tests/support/global-setup.js). */
export function testKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: kafkaSettingsFromEnv().brokers,
    // kafkajs logs every retried request as an error; failures still reach the test as exceptions
    logLevel: logLevel.NOTHING,
  });
}

/** Topic and group names that never collide with another run or with a local demo network. */
export function uniqueName(prefix: string): string {
  return `test.${prefix}.${Date.now()}.${randomBytes(3).toString('hex')}`;
}

export interface TopicRecord {
  key: string | undefined;
  value: Buffer | null;
  /** broker time (LogAppendTime on the exchange's topics), epoch ms */
  timestamp: number;
}

/** Every record a topic holds right now, as an auditor would read it (no group offsets kept). */
export async function readWholeTopic(topic: string): Promise<TopicRecord[]> {
  const kafka = testKafka('topic-reader');
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Set(
    ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => p.partition),
  );
  const records: TopicRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName('topic-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
      eachMessage: async ({ partition, message }) => {
        if (!remaining.has(partition)) return;
        records.push({
          key: message.key?.toString(),
          value: message.value,
          timestamp: Number(message.timestamp),
        });
        const high = BigInt(ends.find((p) => p.partition === partition)?.high ?? 0);
        if (BigInt(message.offset) + 1n >= high) remaining.delete(partition);
        if (remaining.size === 0) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return records;
}
