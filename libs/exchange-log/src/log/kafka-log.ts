import { Admin, Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { KafkaConnection, kafkaClient } from '@yipanqi/kafka-access';
import { v7 as uuidv7 } from 'uuid';
import { PartitionRange, RecordHeader, TopicRecord } from './topic-record';

/** No record for this long while partitions are still unread: the read is stuck, not slow. */
const READ_STALL_MS = 60000;

export interface TimeRange {
  /** broker time (epoch ms) of the first record to read; undefined: from the beginning */
  from?: number;
  /** broker time before which reading stops; undefined: up to the cut */
  to?: number;
}

/**
 * Read-only access to the exchange's topics. It commits nothing: each read
 * uses a consumer group of its own (kafkajs has no assign()), never commits
 * an offset, and stops at end offsets fixed beforehand, so the cluster and
 * every node's consumer group stay as they were. A reader (`auditor`,
 * `coordinator`) therefore needs only Read and Describe on the topics and on
 * groups `<prefix>.<reader>.*`.
 */
export class KafkaLog {
  private readonly kafka: Kafka;
  private readonly admin: Admin;

  constructor(
    connection: KafkaConnection,
    private readonly topicPrefix: string,
    private readonly reader: string,
  ) {
    this.kafka = kafkaClient(connection, `yipanqi-${reader}`, { retry: { retries: 5 } });
    this.admin = this.kafka.admin();
  }

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  async disconnect(): Promise<void> {
    await this.admin.disconnect();
  }

  async topics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  /**
   * The offset range of every partition of `topic` that holds the records
   * appended in `range` up to now: `offsetsForTimes` for the bounds, the high
   * watermark (the cut) otherwise. Records appended after this call are not
   * read, so one replay judges one fixed log.
   */
  async ranges(topic: string, range: TimeRange = {}): Promise<PartitionRange[]> {
    const ends = await this.admin.fetchTopicOffsets(topic);
    const at = async (time: number | undefined) =>
      time === undefined
        ? undefined
        : new Map(
            (await this.admin.fetchTopicOffsetsByTimestamp(topic, time)).map((p) => [
              p.partition,
              BigInt(p.offset),
            ]),
          );
    const starts = await at(range.from);
    const stops = await at(range.to);
    return ends
      .map((p) => {
        const high = BigInt(p.high);
        const start = starts?.get(p.partition) ?? BigInt(p.low);
        const stop = stops?.get(p.partition) ?? high;
        const end = stop < high ? stop : high;
        return { topic, partition: p.partition, start, end: end > start ? end : start };
      })
      .sort((a, b) => a.partition - b.partition);
  }

  /**
   * Reads every record of `ranges`, each partition in offset order, and
   * resolves once all are read. When `onRecord` returns a promise, the next
   * record waits for it.
   */
  async read(
    ranges: PartitionRange[],
    onRecord: (record: TopicRecord) => void | Promise<void>,
  ): Promise<void> {
    const pending = new Map(
      ranges.filter((r) => r.end > r.start).map((r) => [`${r.topic}/${r.partition}`, r]),
    );
    if (pending.size === 0) return;
    const topics = [...new Set([...pending.values()].map((r) => r.topic))];
    const consumer = this.kafka.consumer({
      groupId: `${this.topicPrefix}.${this.reader}.${uuidv7()}`,
      // a replay reads whole partitions: large fetches, fewer round trips
      maxBytesPerPartition: 8 << 20,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await readUntilDone(consumer, ranges, pending, onRecord);
    } finally {
      await consumer.disconnect();
    }
  }
}

async function readUntilDone(
  consumer: Consumer,
  ranges: PartitionRange[],
  pending: Map<string, PartitionRange>,
  onRecord: (record: TopicRecord) => void | Promise<void>,
): Promise<void> {
  let lastProgress = Date.now();
  let fail: (err: Error) => void = () => undefined;
  let succeed: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    succeed = resolve;
    fail = reject;
  });
  consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));
  await consumer.run({
    autoCommit: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const range = pending.get(`${batch.topic}/${batch.partition}`);
      if (!range) return;
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        if (offset < range.start) continue;
        if (offset >= range.end) break;
        const full = onRecord(topicRecord(batch.topic, batch.partition, message));
        if (full) await full;
      }
      lastProgress = Date.now();
      if (BigInt(batch.lastOffset()) + 1n >= range.end) {
        pending.delete(`${batch.topic}/${batch.partition}`);
        payload.pause();
        if (pending.size === 0) succeed();
      }
      await payload.heartbeat();
    },
  });
  // every partition of the subscribed topics is assigned to this consumer alone:
  // those with a range start there, the others are parked at their end
  for (const r of ranges) {
    consumer.seek({ topic: r.topic, partition: r.partition, offset: r.start.toString() });
    if (r.end <= r.start) consumer.pause([{ topic: r.topic, partitions: [r.partition] }]);
  }
  const stall = setInterval(() => {
    if (Date.now() - lastProgress > READ_STALL_MS) {
      fail(new Error(`no record for ${READ_STALL_MS / 1000} s: ${[...pending.keys()].join(', ')}`));
    }
  }, 1000);
  try {
    await done;
  } finally {
    clearInterval(stall);
  }
}

function topicRecord(topic: string, partition: number, message: KafkaMessage): TopicRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    key: message.key,
    headers: headerList(message.headers),
    value: message.value,
  };
}

/** kafkajs folds repeated header names into arrays; the archive keeps them as a list. */
function headerList(headers: IHeaders | undefined): RecordHeader[] {
  const list: RecordHeader[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined) list.push({ name, value: Buffer.isBuffer(v) ? v : Buffer.from(v) });
    }
  }
  return list;
}
