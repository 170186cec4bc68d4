import { directoryTopic, evaluationTopic } from '@yipanqi/contracts';
import { KafkaConnection } from '@yipanqi/kafka-access';
import { Finding } from '../verify/findings';
import { KafkaLog, TimeRange } from './kafka-log';
import { inboxOwner, PartitionRange, TopicRecord } from './topic-record';

export interface LogSink {
  /** a promise: wait for it before handing over the next record (the sink is full) */
  record(record: TopicRecord): void | Promise<void>;
  /** something wrong with the source itself (an archive file), found while reading */
  finding(f: Finding): void;
}

export type SourceDescription =
  | { kind: 'kafka'; brokers: string[]; topicPrefix: string }
  | { kind: 'archive'; path: string; topicPrefix: string };

/** What a source will read, fixed when it is opened. */
export interface LogPlan {
  inboxTopics: string[];
  /** the nodes whose inboxes are read; null: every inbox under the prefix */
  nodes: string[] | null;
  /** records on the evaluation topic (campaign results); 0 when there is none */
  evaluationRecords: number;
  /** records in those inboxes: the progress bar's total */
  inboxRecords: number;
  /** broker time the log was cut at: nothing appended later is read */
  cutAt: number;
  /** the broker-time range read; null: from the beginning / up to the cut */
  from: number | null;
  to: number | null;
  /** found on opening (an archive whose folder does not match its manifest) */
  findings: Finding[];
}

/**
 * Where a replay reads the log: the cluster or an export archive. Either way
 * the directory topic is read whole (entries carry their history), then the
 * inbox topics — each partition in offset order, as Kafka holds it — and,
 * for those who check them, the campaign results on the evaluation topic.
 */
export interface LogSource {
  readonly description: SourceDescription;
  open(): Promise<LogPlan>;
  readDirectory(sink: LogSink): Promise<void>;
  readInboxes(sink: LogSink): Promise<void>;
  readEvaluation(sink: LogSink): Promise<void>;
  close(): Promise<void>;
}

/** The inboxes to read: every one under the prefix, or those of `nodes`. */
export function selectInboxes(topicPrefix: string, topics: string[], nodes?: string[]): string[] {
  return topics
    .filter((t) => {
      const owner = inboxOwner(topicPrefix, t);
      return owner !== undefined && (!nodes || nodes.includes(owner));
    })
    .sort();
}

export interface KafkaSourceOptions extends TimeRange {
  /** the cluster and the reader's principal (an auditor's or the coordinator's certificate) */
  kafka: KafkaConnection;
  topicPrefix: string;
  /** who reads, for the client id and consumer group names (see KafkaLog) */
  reader: string;
  /** node codes whose inboxes to read; undefined: every inbox topic under the prefix */
  nodes?: string[];
}

/**
 * The live cluster. Every inbox topic under the prefix is read: a superset
 * of the directory's members (a node gets its inbox when it first starts),
 * which also shows traffic to nodes no longer listed.
 */
export class KafkaSource implements LogSource {
  readonly description: SourceDescription;
  private readonly log: KafkaLog;
  private directoryRanges: PartitionRange[] = [];
  private inboxRanges: PartitionRange[] = [];
  private evaluationRanges: PartitionRange[] = [];

  constructor(private readonly options: KafkaSourceOptions) {
    this.description = {
      kind: 'kafka',
      brokers: options.kafka.brokers,
      topicPrefix: options.topicPrefix,
    };
    this.log = new KafkaLog(options.kafka, options.topicPrefix, options.reader);
  }

  /** every partition range the source will read, directory first */
  get ranges(): PartitionRange[] {
    return [...this.directoryRanges, ...this.inboxRanges, ...this.evaluationRanges];
  }

  async open(): Promise<LogPlan> {
    const { topicPrefix, nodes, from, to } = this.options;
    await this.log.connect();
    const topics = await this.log.topics();
    const directory = directoryTopic(topicPrefix);
    if (!topics.includes(directory)) {
      throw new Error(
        `no topic ${directory} on ${this.options.kafka.brokers.join(',')}: wrong prefix?`,
      );
    }
    const inboxTopics = selectInboxes(topicPrefix, topics, nodes);
    const cutAt = Date.now();
    this.directoryRanges = await this.log.ranges(directory);
    this.inboxRanges = [];
    for (const topic of inboxTopics) {
      this.inboxRanges.push(...(await this.log.ranges(topic, { from, to })));
    }
    // the coordinator creates it at start; a cluster without one has published no result
    const evaluation = evaluationTopic(topicPrefix);
    this.evaluationRanges = topics.includes(evaluation) ? await this.log.ranges(evaluation) : [];
    return {
      inboxTopics,
      nodes: nodes ?? null,
      inboxRecords: recordsIn(this.inboxRanges),
      evaluationRecords: recordsIn(this.evaluationRanges),
      cutAt,
      from: from ?? null,
      to: to ?? null,
      findings: [],
    };
  }

  readDirectory(sink: LogSink): Promise<void> {
    return this.log.read(this.directoryRanges, (r) => sink.record(r));
  }

  readInboxes(sink: LogSink): Promise<void> {
    return this.log.read(this.inboxRanges, (r) => sink.record(r));
  }

  readEvaluation(sink: LogSink): Promise<void> {
    return this.log.read(this.evaluationRanges, (r) => sink.record(r));
  }

  close(): Promise<void> {
    return this.log.disconnect();
  }
}

function recordsIn(ranges: PartitionRange[]): number {
  return ranges.reduce((n, r) => n + Number(r.end - r.start), 0);
}
