import { randomUUID } from 'node:crypto';
import { Kafka, Message } from 'kafkajs';
import { inboxTopic } from '@yipanqi/contracts';
import { Admin } from 'kafkajs';
import { createMissingTopics, inboxTopicConfig } from '@yipanqi/kafka-access';
import { partitionLogBytes } from './broker';
import { SampleEnvelope } from './envelopes';

export interface DiskPerType {
  type: string;
  form: string;
  envelopeBytes: number;
  records: number;
  copies: number;
  /** .log bytes on the broker per record: value, key, headers, record and batch overhead */
  diskBytesPerRecord: number | null;
}

/** What OutboxRelay sends per request at most: 500 records and 768 KiB. */
const BATCH_RECORDS = 500;
const BATCH_BYTES = 768 * 1024;

/**
 * Each sample envelope `copies` times into an inbox topic of its own (the
 * real inbox settings), keyed by the sender's code and with the relay's
 * headers, by an idempotent producer with acks=-1 in the relay's batch
 * sizes, no compression (the relay uses none): the partition's .log bytes
 * divided by the records is what one such message costs on one replica.
 */
export async function measureDiskPerType(options: {
  kafka: Kafka;
  admin: Admin;
  topicPrefix: string;
  samples: SampleEnvelope[];
  copies: (s: SampleEnvelope) => number;
  logDir: string | null;
}): Promise<DiskPerType[]> {
  const { kafka, admin, topicPrefix, samples, logDir } = options;
  const prefix = `${topicPrefix}-disk`;
  const topicOf = (i: number) => inboxTopic(String(910000 + i), prefix);
  await createMissingTopics(
    admin,
    samples.map((_, i) => inboxTopicConfig(String(910000 + i), prefix)),
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const out: DiskPerType[] = [];
  try {
    for (const [i, s] of samples.entries()) {
      const value = JSON.stringify(s.envelope);
      const copies = options.copies(s);
      let batch: Message[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        await producer.send({ topic: topicOf(i), messages: batch, acks: -1 });
        batch = [];
        bytes = 0;
      };
      for (let n = 0; n < copies; n++) {
        if (batch.length >= BATCH_RECORDS || bytes + s.bytes > BATCH_BYTES) await flush();
        batch.push({
          key: s.envelope.from,
          value,
          headers: { type: s.envelope.type, id: randomUUID() },
        });
        bytes += s.bytes;
      }
      await flush();
      const meta = await admin.fetchTopicOffsets(topicOf(i));
      const used = meta.find((p) => Number(p.high) > 0);
      const onDisk = logDir && used ? partitionLogBytes(logDir, topicOf(i), used.partition) : null;
      out.push({
        type: s.type,
        form: s.form,
        envelopeBytes: s.bytes,
        records: s.records,
        copies,
        diskBytesPerRecord: onDisk === null ? null : onDisk / copies,
      });
    }
  } finally {
    await producer.disconnect();
    await admin
      .deleteTopics({ topics: samples.map((_, i) => topicOf(i)), timeout: 60000 })
      .catch(() => undefined);
  }
  return out;
}
