import { Producer, TopicMessages } from 'kafkajs';
import { In, IsNull } from 'typeorm';
import { inboxTopic } from '@yipanqi/contracts';
import { Transactions } from '@yipanqi/persistence';
import { OutboxMessage } from './entities/exchange.entities';
import { RelayLeadership } from './relay-leadership';

const BATCH = 1000;

/**
 * Where a fault test may have the relay kill its own process (SIGKILL), to
 * prove that a crash between the outbox commit and the publish, or between
 * the publish and marking the rows sent, loses nothing and duplicates nothing.
 */
export type RelayCrashPoint = 'before-publish' | 'after-publish';
const IDLE_POLL_MS = 250;
const RETRY_MS = 1000;
/** how often a standby replica asks whether it may lead */
const STANDBY_POLL_MS = 2000;

export interface OutboxRelayOptions {
  me: string;
  producer: Producer;
  transactions: Transactions;
  /** which replica publishes (see relay-leadership.ts) */
  leadership: RelayLeadership;
  onError: (err: Error) => void;
  topicPrefix?: string;
  crashPoint?: RelayCrashPoint;
}

/**
 * Publishes the outbox in position order to each recipient's inbox topic
 * (record key = this node's code, so one stream stays in one partition and in
 * order) with an idempotent producer, then marks the rows sent. A crash after
 * publishing and before marking re-sends those rows; the receiver's dedup
 * makes that harmless. Of several replicas of a node only the leader
 * publishes.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  private readonly me: string;
  private readonly producer: Producer;
  private readonly transactions: Transactions;
  private readonly leadership: RelayLeadership;
  private readonly onError: (err: Error) => void;
  private readonly topicPrefix?: string;
  private readonly crashPoint?: RelayCrashPoint;

  constructor(options: OutboxRelayOptions) {
    this.me = options.me;
    this.producer = options.producer;
    this.transactions = options.transactions;
    this.leadership = options.leadership;
    this.onError = options.onError;
    this.topicPrefix = options.topicPrefix;
    this.crashPoint = options.crashPoint;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
    await this.leadership.release();
  }

  /** Called after an enqueue so new messages go out without waiting for the next poll. */
  kick(): void {
    this.wake?.();
  }

  /** Publishes everything pending now; returns how many envelopes went out. */
  async drainOnce(): Promise<number> {
    const repo = this.transactions.dataSource.getRepository(OutboxMessage);
    const rows = await repo.find({
      select: { position: true, peer: true, id: true, type: true, envelope: true },
      where: { sentAt: IsNull() },
      order: { position: 'ASC' },
      take: BATCH,
    });
    if (rows.length === 0) return 0;
    const byTopic = new Map<string, TopicMessages>();
    for (const row of rows) {
      const topic = inboxTopic(row.peer, this.topicPrefix);
      let entry = byTopic.get(topic);
      if (!entry) {
        entry = { topic, messages: [] };
        byTopic.set(topic, entry);
      }
      entry.messages.push({
        key: this.me,
        value: row.envelope,
        headers: { type: row.type, id: row.id },
      });
    }
    if (this.crashPoint === 'before-publish') process.kill(process.pid, 'SIGKILL');
    await this.producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
    if (this.crashPoint === 'after-publish') process.kill(process.pid, 'SIGKILL');
    const sentAt = Date.now();
    const positions = rows.map((r) => r.position);
    await this.transactions.run(async (manager) => {
      for (let i = 0; i < positions.length; i += 500) {
        await manager.update(
          OutboxMessage,
          { position: In(positions.slice(i, i + 500)) },
          { sentAt },
        );
      }
    });
    return rows.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      let delay = IDLE_POLL_MS;
      try {
        if (await this.leadership.acquire()) sent = await this.drainOnce();
        else delay = STANDBY_POLL_MS;
      } catch (err) {
        // e.g. the partner's inbox topic does not exist yet: keep the rows, try again
        this.onError(err as Error);
        delay = RETRY_MS;
      }
      if (sent === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
