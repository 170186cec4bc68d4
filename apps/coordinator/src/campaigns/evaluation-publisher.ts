import { Admin, CompressionTypes, Kafka, logLevel, Producer } from 'kafkajs';
import { IsNull } from 'typeorm';
import { evaluationTopic } from '@yipanqi/contracts';
import { ensureEvaluationTopic } from '@yipanqi/exchange';
import { Transactions } from '@yipanqi/persistence';
import { CampaignResultRow } from './campaign.entities';

export interface EvaluationPublisherOptions {
  brokers: string[];
  topicPrefix: string;
  transactions: Transactions;
  log: (message: string) => void;
}

/** Unpublished results (broker down, crash after commit) are tried again this often. */
const RETRY_MS = 5000;

/**
 * Puts signed campaign results on `<prefix>.evaluation`, keyed by campaign id,
 * the way DirectoryPublisher puts entries on the directory topic: committed
 * first, published after, retried until the broker acknowledges. Publishing
 * a result twice is harmless: the auditor checks each copy, and both agree.
 */
export class EvaluationPublisher {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly topic: string;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EvaluationPublisherOptions) {
    const kafka = new Kafka({
      clientId: 'yipanqi-coordinator-evaluation',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.admin = kafka.admin();
    this.topic = evaluationTopic(options.topicPrefix);
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await ensureEvaluationTopic(this.admin, this.options.topicPrefix);
    await this.producer.connect();
    await this.flush();
    this.timer = setInterval(() => {
      this.flush().catch((err: Error) => this.options.log(`publishing results: ${err.message}`));
    }, RETRY_MS);
  }

  /** Publishes every result not yet acknowledged, oldest first; one flush at a time. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.publishPending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async publishPending(): Promise<void> {
    const repo = this.options.transactions.dataSource.getRepository(CampaignResultRow);
    const rows = await repo.find({
      where: { publishedAt: IsNull() },
      order: { computedAt: 'ASC', id: 'ASC' },
    });
    if (rows.length === 0) return;
    const [metadata] = await this.producer.send({
      topic: this.topic,
      acks: -1,
      // a result lists every message id behind its figures: it compresses well
      compression: CompressionTypes.GZIP,
      messages: rows.map((r) => ({ key: r.campaignId, value: r.record })),
    });
    const appended = Number(metadata.logAppendTime);
    await this.options.transactions.run(async (m) => {
      for (const row of rows) {
        await m.update(CampaignResultRow, { id: row.id }, { publishedAt: appended });
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
