import { Admin, ITopicConfig } from 'kafkajs';
import { deadLetterTopic, directoryTopic, evaluationTopic, inboxTopic } from '@yipanqi/contracts';

/** Partitions of an inbox: ≥ 3 so that several replicas of a node can share the load. */
export const INBOX_PARTITIONS = 3;

export function inboxTopicConfig(node: string, prefix?: string): ITopicConfig {
  return {
    topic: inboxTopic(node, prefix),
    numPartitions: INBOX_PARTITIONS,
    configEntries: [
      // SLA clocks use the broker's time, which neither party controls
      { name: 'message.timestamp.type', value: 'LogAppendTime' },
      // the log is the record of the exchange: never delete it
      { name: 'retention.ms', value: '-1' },
      { name: 'retention.bytes', value: '-1' },
    ],
  };
}

export function deadLetterTopicConfig(node: string, prefix?: string): ITopicConfig {
  return {
    topic: deadLetterTopic(node, prefix),
    numPartitions: 1,
    configEntries: [
      { name: 'message.timestamp.type', value: 'LogAppendTime' },
      { name: 'retention.ms', value: '-1' },
    ],
  };
}

/**
 * One partition: every reader sees all entries in the order the coordinator
 * published them, and "caught up" is a single offset. Compaction keeps the
 * latest entry per node code (the record key) for ever.
 */
export function directoryTopicConfig(prefix?: string): ITopicConfig {
  return {
    topic: directoryTopic(prefix),
    numPartitions: 1,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'message.timestamp.type', value: 'LogAppendTime' },
    ],
  };
}

/**
 * One partition (one order for every reader, as for the directory), not
 * compacted: every result the coordinator ever published stays, each one
 * checkable by an auditor for ever.
 */
export function evaluationTopicConfig(prefix?: string): ITopicConfig {
  return {
    topic: evaluationTopic(prefix),
    numPartitions: 1,
    configEntries: [
      { name: 'message.timestamp.type', value: 'LogAppendTime' },
      { name: 'retention.ms', value: '-1' },
      { name: 'retention.bytes', value: '-1' },
      // one result lists every message id behind its figures: allow 8 MiB (compressed),
      // what the auditor's reader fetches per partition at a time
      { name: 'max.message.bytes', value: String(8 << 20) },
    ],
  };
}

/**
 * Creates a node's inbox and dead-letter topics if missing (replicated as
 * `withReplication` says); existing topics are left as they are.
 */
export async function ensureNodeTopics(admin: Admin, node: string, prefix?: string): Promise<void> {
  await ensureTopics(admin, [inboxTopicConfig(node, prefix), deadLetterTopicConfig(node, prefix)]);
}

/** The coordinator publishes to it and every node reads it; whoever starts first creates it. */
export async function ensureDirectoryTopic(admin: Admin, prefix?: string): Promise<void> {
  await ensureTopics(admin, [directoryTopicConfig(prefix)]);
}

/** The coordinator publishes campaign results to it; auditors read it. */
export async function ensureEvaluationTopic(admin: Admin, prefix?: string): Promise<void> {
  await ensureTopics(admin, [evaluationTopicConfig(prefix)]);
}

async function ensureTopics(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  // A broker that has just started may still refuse or time out on metadata
  // and topic creation for a few seconds: try again before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      await createMissingTopics(admin, topics);
      return;
    } catch (err) {
      if (attempt >= TOPIC_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

const TOPIC_ATTEMPTS = 6;

/** DESIGN §5: on a cluster of this many brokers or more, topics get 3 replicas and min ISR 2. */
export const REPLICATED_CLUSTER_BROKERS = 3;

/**
 * The replication a topic gets on a cluster of `brokers` brokers: with three
 * or more, replication factor 3 and `min.insync.replicas=2` (with the
 * producers' acks=-1 a write survives the loss of any one broker); on a
 * smaller cluster the broker's defaults (one broker: one copy).
 */
export function withReplication(topic: ITopicConfig, brokers: number): ITopicConfig {
  if (brokers < REPLICATED_CLUSTER_BROKERS) return topic;
  return {
    ...topic,
    replicationFactor: 3,
    configEntries: [
      ...(topic.configEntries ?? []).filter((e) => e.name !== 'min.insync.replicas'),
      { name: 'min.insync.replicas', value: '2' },
    ],
  };
}

async function createMissingTopics(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  const { brokers } = await admin.describeCluster();
  try {
    await admin.createTopics({
      topics: missing.map((t) => withReplication(t, brokers.length)),
      waitForLeaders: true,
    });
  } catch (err) {
    // another replica (or the coordinator) may have created it in the meantime
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}
