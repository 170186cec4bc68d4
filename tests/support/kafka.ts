import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Kafka } from 'kafkajs';
import {
  KafkaConnection,
  kafkaClient,
  kafkaSettingsFromEnv,
  loadKafkaCredentials,
} from '@yipanqi/kafka-access';

const repo = resolve(__dirname, '../..');

/** The network's CA, as deploy/kafka/kafka.sh made it (see tests/support/global-setup.js). */
export function testPkiDir(): string {
  return process.env.KAFKA_PKI_DIR || join(repo, '.local', 'kafka-pki');
}

/** The operator's connection (super user): what tests use to act as the broker's owner. */
export function operatorConnection(): KafkaConnection {
  return {
    brokers: kafkaSettingsFromEnv().brokers,
    credentials: loadKafkaCredentials(
      process.env.KAFKA_OPERATOR_CREDENTIALS || join(testPkiDir(), 'operator'),
    ),
  };
}

/**
 * A kafkajs client of the operator on the cluster the test run uses: tests
 * that forge, squat or inspect act as the one principal allowed everything.
 */
export function testKafka(clientId: string): Kafka {
  return kafkaClient(operatorConnection(), clientId);
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
