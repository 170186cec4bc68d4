import { Admin, ITopicConfig } from 'kafkajs';
import {
  deadLetterTopic,
  directoryTopic,
  evaluationTopic,
  inboxTopic,
  sentJournalTopic,
} from '@yipanqi/contracts';

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

/** One partition: a restored node reads what it sent after its copy in one pass, in order. */
export function sentJournalTopicConfig(node: string, prefix?: string): ITopicConfig {
  return {
    topic: sentJournalTopic(node, prefix),
    numPartitions: 1,
    configEntries: [
      // the directory's key valid at the broker's time checks what the node signed
      { name: 'message.timestamp.type', value: 'LogAppendTime' },
      { name: 'retention.ms', value: '-1' },
      { name: 'retention.bytes', value: '-1' },
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
      // a national campaign's result is under 1 MiB (digests in place of message ids);
      // 8 MiB (compressed) is what the auditor's reader fetches per partition at a time
      { name: 'max.message.bytes', value: String(8 << 20) },
    ],
  };
}

/**
 * Resolves once every one of `topics` exists with its partitions led: users
 * of the exchange never create topics (only the operator may, through the
 * provisioning), they wait until the operator has. Throws after `timeoutMs`
 * naming what is still missing.
 */
export async function waitForTopics(
  admin: Admin,
  topics: string[],
  options: { timeoutMs?: number; log?: (message: string) => void } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120000);
  let told = false;
  for (;;) {
    let missing: string[];
    try {
      const existing = new Set(await admin.listTopics());
      missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) {
        const metadata = await admin.fetchTopicMetadata({ topics });
        const leaderless = metadata.topics.filter((t) => t.partitions.some((p) => p.leader < 0));
        missing = leaderless.map((t) => `${t.name} (no leader yet)`);
      }
    } catch (err) {
      // a broker that has just started may refuse metadata for a few seconds
      missing = topics.map((t) => `${t} (${(err as Error).message})`);
    }
    if (missing.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Kafka topics not provisioned: ${missing.join(', ')} — the operator creates them (docs/operations.md "Kafka security")`,
      );
    }
    if (!told) {
      options.log?.(`waiting for the operator to provision ${missing.join(', ')}`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Tries of a topic creation against a broker that may have just started. */
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

/**
 * Creates those of `topics` that do not exist yet (replicated as
 * `withReplication` says for the cluster's size); existing topics are left as
 * they are. Operator only: the provisioning calls it.
 */
export async function createMissingTopics(admin: Admin, topics: ITopicConfig[]): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createMissing(admin, topics);
    } catch (err) {
      if (attempt >= TOPIC_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function createMissing(admin: Admin, topics: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
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
  return missing.map((t) => t.topic);
}
