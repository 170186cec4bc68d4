import { randomUUID } from 'node:crypto';
import { Message } from 'kafkajs';
import { inboxTopic } from '@yipanqi/contracts';
import {
  createMissingTopics,
  inboxTopicConfig,
  KafkaConnection,
  kafkaClient,
} from '@yipanqi/kafka-access';
import { RECEIVER, SENDER } from './sample';

export interface RawOptions {
  /** the operator's connection: the harness creates and deletes its topic */
  kafka: KafkaConnection;
  /** a prefix of this run only: the topic and group are new, so nothing old is read */
  topicPrefix: string;
  /** a real notice envelope (JSON); every record carries these bytes */
  envelope: string;
  messages: number;
  batchSize: number;
  log: (line: string) => void;
}

export interface RawResult {
  topic: string;
  messages: number;
  batchSize: number;
  seconds: number;
  msgsPerSecond: number;
  /** when the last sendBatch returned, relative to the start */
  producerSeconds: number;
}

/**
 * Kafka alone, the way the exchange uses it: records of a real envelope's
 * size, keyed by the sender's code (so, like one from→to stream, they all
 * land in one of the inbox's 3 partitions, in order), published in sequential
 * sendBatch calls by an idempotent producer with acks=-1 and one request in
 * flight (OutboxRelay), read with eachBatch and committed per chunk of 500
 * (ExchangeNode.consume) — with no processing at all. The topic has the real
 * inbox settings (inboxTopicConfig). Throughput = messages / (first send →
 * last record consumed), producer and consumer running concurrently.
 */
export async function measureRawKafka(options: RawOptions): Promise<RawResult> {
  const { topicPrefix, envelope, messages, batchSize, log } = options;
  const prefix = `${topicPrefix}-raw`;
  const topic = inboxTopic(RECEIVER, prefix);
  const groupId = `${prefix}.group`;
  const kafka = kafkaClient(options.kafka, 'yipanqi-bench-raw');
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30000, heartbeatInterval: 3000 });
  await admin.connect();
  try {
    await createMissingTopics(admin, [inboxTopicConfig(RECEIVER, prefix)]);
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });

    const warmup = batchSize;
    const total = warmup + messages;
    let consumed = 0;
    let reached: (() => void) | undefined;
    let target = warmup;
    const waitFor = (count: number) =>
      new Promise<void>((resolve) => {
        target = count;
        reached = resolve;
        if (consumed >= target) resolve();
      });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (let i = 0; i < batch.messages.length; i += 500) {
          const chunk = batch.messages.slice(i, i + 500);
          const last = chunk[chunk.length - 1].offset;
          payload.resolveOffset(last);
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: (BigInt(last) + 1n).toString(),
            },
          ]);
          consumed += chunk.length;
          if (consumed >= target) reached?.();
          await payload.heartbeat();
        }
      },
    });

    const send = async (count: number) => {
      for (let sent = 0; sent < count; sent += batchSize) {
        const records: Message[] = [];
        for (let i = 0; i < Math.min(batchSize, count - sent); i++) {
          records.push({
            key: SENDER,
            value: envelope,
            headers: { type: 'notice', id: randomUUID() },
          });
        }
        await producer.sendBatch({ topicMessages: [{ topic, messages: records }], acks: -1 });
      }
    };

    // warm-up: connections, metadata, the group's first assignment
    await send(warmup);
    await waitFor(warmup);

    log(`raw: producing ${messages} records of ${Buffer.byteLength(envelope)} bytes`);
    const start = performance.now();
    const done = waitFor(total);
    await send(messages);
    const producerSeconds = (performance.now() - start) / 1000;
    await done;
    const seconds = (performance.now() - start) / 1000;
    return {
      topic,
      messages,
      batchSize,
      seconds,
      msgsPerSecond: messages / seconds,
      producerSeconds,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    // the run's own topic and group only: nothing else on the cluster is touched
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
