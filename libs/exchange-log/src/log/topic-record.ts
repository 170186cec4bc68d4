/** One Kafka record header; Kafka allows a name more than once, so headers are a list. */
export interface RecordHeader {
  name: string;
  value: Buffer;
}

/**
 * One Kafka record exactly as the broker holds it, whether it was read from
 * the cluster or from an export archive: the auditor's unit of evidence.
 */
export interface TopicRecord {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as the decimal string kafkajs uses */
  offset: string;
  /** broker time: LogAppendTime on the exchange's topics, epoch ms */
  timestamp: number;
  key: Buffer | null;
  headers: RecordHeader[];
  value: Buffer | null;
}

/** Where a record sits in the log; every finding about a record names it. */
export interface RecordLocation {
  topic: string;
  partition: number;
  offset: string;
}

export function locationOf(record: TopicRecord): RecordLocation {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

/** A half-open offset range `[start, end)` of one partition, as a replay or export reads it. */
export interface PartitionRange {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

/** `<prefix>.inbox.<code>` → code; undefined for any other topic. */
export function inboxOwner(topicPrefix: string, topic: string): string | undefined {
  const prefix = `${topicPrefix}.inbox.`;
  if (!topic.startsWith(prefix)) return undefined;
  const code = topic.slice(prefix.length);
  return /^\d{6}$/.test(code) ? code : undefined;
}
