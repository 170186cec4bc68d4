import { Admin, CompressionTypes, Producer, RecordMetadata } from 'kafkajs';
import { KafkaConnection, kafkaClient, waitForTopics } from '@yipanqi/kafka-access';

/** Where a publisher finds its records and notes which ones the broker acknowledged. */
export interface CommittedRecords<Row> {
  /** rows committed to the database but not yet acknowledged by the broker, oldest first */
  unpublished(): Promise<Row[]>;
  /** the Kafka record a row is published as */
  message(row: Row): { key: string; value: string };
  /** `rows` were acknowledged; the broker appended them at `appendedAt` (epoch ms) */
  published(rows: Row[], appendedAt: number): Promise<void>;
}

export interface CommittedRecordPublisherOptions<Row> {
  kafka: KafkaConnection;
  clientId: string;
  /** provisioned by the operator: start() waits until it exists */
  topic: string;
  compression?: CompressionTypes;
  records: CommittedRecords<Row>;
  log: (message: string) => void;
}

/** Unpublished records (broker down, crash after commit) are tried again this often. */
const RETRY_MS = 5000;

/**
 * Publishes the coordinator's signed records the way the nodes' outbox does:
 * each record is committed to the database first and published after,
 * retried until the broker acknowledges it. A crash in between publishes it
 * at the next start; publishing the same signed record twice is harmless
 * for every reader (they keep the highest version, or check each copy).
 */
export class CommittedRecordPublisher<Row> {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CommittedRecordPublisherOptions<Row>) {
    const kafka = kafkaClient(options.kafka, options.clientId);
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.admin = kafka.admin();
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await waitForTopics(this.admin, [this.options.topic], { log: this.options.log });
    await this.producer.connect();
    await this.flush();
    this.timer = setInterval(() => {
      this.flush().catch((err: Error) =>
        this.options.log(`publishing to ${this.options.topic}: ${err.message}`),
      );
    }, RETRY_MS);
  }

  /** One metadata round trip with the coordinator's certificate (readiness): the brokers listed. */
  async brokers(): Promise<number> {
    return (await this.admin.describeCluster()).brokers.length;
  }

  /** Publishes every record not yet acknowledged, oldest first; one flush at a time. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.publishPending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Publishes these rows again as they are (e.g. after the topic was lost). */
  async send(rows: Row[]): Promise<RecordMetadata[]> {
    if (rows.length === 0) return [];
    return this.producer.send({
      topic: this.options.topic,
      acks: -1,
      compression: this.options.compression,
      messages: rows.map((row) => this.options.records.message(row)),
    });
  }

  private async publishPending(): Promise<void> {
    const rows = await this.options.records.unpublished();
    if (rows.length === 0) return;
    const [metadata] = await this.send(rows);
    await this.options.records.published(rows, Number(metadata.logAppendTime));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
