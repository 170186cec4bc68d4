import { Producer } from 'kafkajs';
import { IsNull } from 'typeorm';
import { inboxTopic, sentJournalTopic } from '@yipanqi/contracts';
import { Transactions } from '@yipanqi/persistence';
import { OutboxMessage } from './entities/exchange.entities';
import { ExchangeEventListener } from './exchange-events';
import { RelayLeadership } from './relay-leadership';
import { advanceTopicPosition } from './rejoin/topic-position';

const BATCH = 1000;
/**
 * Kafka refuses a record batch over max.message.bytes (1 MiB by default), and
 * 1,000 notices are more than that: publish at most this much per request.
 */
const MAX_REQUEST_BYTES = 768 * 1024;

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
  /** makes the relay's idempotent producer; called again when the broker refuses its sequence */
  newProducer: () => Producer;
  transactions: Transactions;
  /** which replica publishes (see relay-leadership.ts) */
  leadership: RelayLeadership;
  onError: (err: Error) => void;
  /** told of each message once it is published and marked sent */
  onSent?: ExchangeEventListener;
  topicPrefix?: string;
  crashPoint?: RelayCrashPoint;
}

/**
 * Publishes the outbox in position order to each recipient's inbox topic
 * (record key = this node's code, so one stream stays in one partition and in
 * order) with an idempotent producer, then marks the rows sent. Each batch
 * goes to the node's sent journal first, so that whatever a partner holds the
 * journal holds too: a node restored from an older backup reads there what it
 * sent since (rejoin/). A crash after
 * publishing and before marking re-sends those rows; the receiver's dedup
 * makes that harmless. Of several replicas of a node only the leader
 * publishes.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** streams whose last publish failed, and when to try them again */
  private readonly backoffUntil = new Map<string, number>();
  /**
   * Per stream, the last outbox position already in the sent journal: a
   * partner that cannot take messages for a day must not have its batch
   * journaled again at every retry (after a restart, one batch may be).
   */
  private readonly journaledThrough = new Map<string, number>();
  /** the journal's end after this relay's last write: every record below it has its row in the database */
  private journalEnd = -1;
  /** what the database was last told of it */
  private journalEndKept = -1;

  private readonly me: string;
  private readonly newProducer: () => Producer;
  private producer: Producer;
  /** the broker refused the producer's sequence: replace it before the next publish */
  private producerSpoiled = false;
  private connected = false;
  private readonly transactions: Transactions;
  private readonly leadership: RelayLeadership;
  private readonly onError: (err: Error) => void;
  private readonly onSent: ExchangeEventListener | undefined;
  private readonly topicPrefix?: string;
  private readonly crashPoint?: RelayCrashPoint;

  constructor(options: OutboxRelayOptions) {
    this.me = options.me;
    this.newProducer = options.newProducer;
    this.producer = options.newProducer();
    this.transactions = options.transactions;
    this.leadership = options.leadership;
    this.onError = options.onError;
    this.onSent = options.onSent;
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
    if (this.connected) await this.producer.disconnect();
  }

  /** Called after an enqueue so new messages go out without waiting for the next poll. */
  kick(): void {
    this.wake?.();
  }

  /**
   * Publishes what is pending now, stream by stream; returns how many
   * envelopes went out. A partner whose inbox cannot take messages (e.g. its
   * topic does not exist yet) holds back only its own stream.
   */
  async drainOnce(): Promise<number> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    if (this.producerSpoiled) await this.replaceProducer();
    const now = Date.now();
    const peers = await this.transactions.run((manager) =>
      manager
        .getRepository(OutboxMessage)
        .createQueryBuilder('o')
        .select('DISTINCT o.peer', 'peer')
        .where('o.sent_at IS NULL')
        .getRawMany<{ peer: string }>(),
    );
    const due = peers
      .map((p) => p.peer)
      .filter((peer) => (this.backoffUntil.get(peer) ?? 0) <= now);
    // Streams go out side by side: one that waits for its partner's topic does not hold up the rest.
    const results = await Promise.allSettled(due.map((peer) => this.publishStream(peer)));
    let sent = 0;
    let firstError: Error | undefined;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        sent += result.value;
        this.backoffUntil.delete(due[i]);
      } else {
        this.backoffUntil.set(due[i], Date.now() + RETRY_MS);
        if (isOutOfOrderSequence(result.reason)) this.producerSpoiled = true;
        firstError ??= result.reason as Error;
      }
    });
    if (this.journalEnd > this.journalEndKept) {
      // once per round, not in each stream's transaction: one row every stream would lock
      const end = this.journalEnd;
      await this.transactions.run((manager) =>
        advanceTopicPosition(manager, sentJournalTopic(this.me, this.topicPrefix), 0, end),
      );
      this.journalEndKept = end;
    }
    if (firstError && sent === 0) throw firstError;
    if (firstError) this.onError(firstError);
    return sent;
  }

  /**
   * A publish that failed may still have landed (a timeout, a leader that
   * died after appending). kafkajs then rolls its sequence number back, and
   * the next publish — re-read from the outbox, so rarely the same batch —
   * reuses a sequence the broker already holds: OUT_OF_ORDER_SEQUENCE_NUMBER
   * on every retry, for good. Once the broker says so, a new producer (new
   * producer id, sequences afresh) takes over; what it sends again the
   * receiver drops as a duplicate. Found by the three-broker fault suite.
   */
  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.producerSpoiled = false;
    this.connected = false;
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.connected = true;
  }

  /** The next pending envelopes of one stream, in order, within Kafka's request size. */
  private async publishStream(peer: string): Promise<number> {
    // Read inside a transaction: on SQLite (one connection) a bare read could
    // see rows of another transaction that has not committed yet.
    const candidates = await this.transactions.run((manager) =>
      manager.getRepository(OutboxMessage).find({
        select: { position: true, id: true, type: true, envelope: true },
        where: { sentAt: IsNull(), peer },
        order: { position: 'ASC' },
        take: BATCH,
      }),
    );
    const rows: typeof candidates = [];
    let bytes = 0;
    for (const row of candidates) {
      bytes += Buffer.byteLength(row.envelope);
      if (rows.length > 0 && bytes > MAX_REQUEST_BYTES) break;
      rows.push(row);
    }
    if (rows.length === 0) return 0;
    if (this.crashPoint === 'before-publish') process.kill(process.pid, 'SIGKILL');
    const journal = sentJournalTopic(this.me, this.topicPrefix);
    const unjournaled = rows.filter((r) => r.position > (this.journaledThrough.get(peer) ?? 0));
    if (unjournaled.length > 0) {
      const [ack] = await this.producer.send({
        topic: journal,
        acks: -1,
        messages: unjournaled.map((row) => ({
          key: peer,
          value: row.envelope,
          headers: { type: row.type, id: row.id },
        })),
      });
      this.journaledThrough.set(peer, unjournaled[unjournaled.length - 1].position);
      const end = Number(ack?.baseOffset ?? -1) + unjournaled.length;
      if (Number(ack?.baseOffset ?? -1) >= 0) this.journalEnd = Math.max(this.journalEnd, end);
    }
    const acks = await this.producer.send({
      topic: inboxTopic(peer, this.topicPrefix),
      acks: -1,
      messages: rows.map((row) => ({
        key: this.me,
        value: row.envelope,
        headers: { type: row.type, id: row.id },
      })),
    });
    if (this.crashPoint === 'after-publish') process.kill(process.pid, 'SIGKILL');
    const sentAt = Date.now();
    // The whole request lands in one partition (record key = our code) as one
    // batch, so the broker stamped every record with the same LogAppendTime.
    const appended = Number(acks[0]?.logAppendTime ?? -1);
    const brokerTime = appended >= 0 ? appended : null;
    // Every pending row of this stream up to `last` was just published: a
    // stream's rows are inserted under its row lock, so their positions follow
    // commit order and no row below `last` can appear later.
    const last = rows[rows.length - 1].position;
    await this.transactions.run((manager) =>
      manager
        .createQueryBuilder()
        .update(OutboxMessage)
        .set({ sentAt, brokerTime })
        .where('peer = :peer AND sent_at IS NULL AND position <= :last', { peer, last })
        .execute(),
    );
    for (const row of rows) {
      this.onSent?.({
        outcome: 'sent',
        messageId: row.id,
        type: row.type,
        from: this.me,
        to: peer,
        reason: null,
      });
    }
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

/** kafkajs wraps the broker's error in retry errors: look along the causes. */
export function isOutOfOrderSequence(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    if ((e as { type?: unknown }).type === 'OUT_OF_ORDER_SEQUENCE_NUMBER') return true;
    if (/out of order sequence number/i.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
