import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import { IsNull } from 'typeorm';
import { directoryTopic } from '@yipanqi/contracts';
import { ensureDirectoryTopic } from '@yipanqi/exchange';
import { Transactions } from '@yipanqi/persistence';
import { DirectoryEntryRow } from './directory.entities';

export interface DirectoryPublisherOptions {
  brokers: string[];
  topicPrefix: string;
  transactions: Transactions;
  leadMs: number;
  log: (message: string) => void;
}

/** Unpublished entries (broker down, crash after commit) are tried again this often. */
const RETRY_MS = 5000;

/**
 * Puts signed entries on the compacted directory topic, keyed by node code.
 * An entry is committed to the database first and published after (as the
 * nodes' outbox does): a crash in between publishes it at the next start, and
 * publishing the same signed entry twice is harmless — readers keep the
 * highest version.
 */
export class DirectoryPublisher {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly topic: string;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DirectoryPublisherOptions) {
    this.kafka = new Kafka({
      clientId: 'yipanqi-coordinator',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.admin = this.kafka.admin();
    this.topic = directoryTopic(options.topicPrefix);
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await ensureDirectoryTopic(this.admin, this.options.topicPrefix);
    await this.producer.connect();
    await this.flush();
    this.timer = setInterval(() => {
      this.flush().catch((err: Error) => this.options.log(`publishing: ${err.message}`));
    }, RETRY_MS);
  }

  /** Publishes every entry not yet acknowledged by the broker, oldest first; one flush at a time. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.publishPending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async publishPending(): Promise<void> {
    const repo = this.options.transactions.dataSource.getRepository(DirectoryEntryRow);
    const rows = await repo.find({
      where: { publishedAt: IsNull() },
      order: { issuedAt: 'ASC', version: 'ASC' },
    });
    if (rows.length === 0) return;
    const [metadata] = await this.send(rows.map((r) => ({ code: r.code, json: r.entry })));
    const appended = Number(metadata.logAppendTime);
    for (const row of rows) {
      if (appended > row.issuedAt + this.options.leadMs) {
        this.options.log(
          `entry ${row.code} v${row.version} reached the broker ${appended - row.issuedAt} ms after ` +
            `it was issued, later than the ${this.options.leadMs} ms lead: raise DIRECTORY_LEAD_MS`,
        );
      }
    }
    await this.options.transactions.run(async (m) => {
      for (const row of rows) {
        await m.update(
          DirectoryEntryRow,
          { code: row.code, version: row.version },
          { publishedAt: appended },
        );
      }
    });
  }

  /** Publishes these signed entries again as they are (e.g. after the topic was lost). */
  async republish(rows: DirectoryEntryRow[]): Promise<void> {
    if (rows.length > 0) await this.send(rows.map((r) => ({ code: r.code, json: r.entry })));
  }

  private send(entries: { code: string; json: string }[]) {
    return this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: entries.map((e) => ({ key: e.code, value: e.json })),
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
