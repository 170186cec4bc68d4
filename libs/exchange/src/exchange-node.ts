import { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { deadLetterTopic, inboxTopic, sentJournalTopic, TOPIC_PREFIX } from '@yipanqi/contracts';
import { NodeKeys } from '@yipanqi/crypto';
import { KafkaConnection, kafkaClient, waitForTopics } from '@yipanqi/kafka-access';
import { Transactions } from '@yipanqi/persistence';
import { DeadLetter, TopicPosition } from './entities/exchange.entities';
import { ExchangeEventListener } from './exchange-events';
import {
  InboxGate,
  InboxHandlers,
  InboxProcessor,
  InboundRecord,
  RedriveResult,
} from './inbox-processor';
import { Outbox } from './outbox';
import { OutboxRelay, RelayCrashPoint } from './outbox-relay';
import { PeerKeys } from './peer-keys';
import { CONSUMER_RESTART_WAITS_MS, consumerRestartWait, crashInSeries } from './consumer-restarts';
import { cut } from './record-evidence';
import { relayLeadershipFor } from './relay-leadership';
import { GivenReplies } from './rejoin/given-replies';
import { recoverFromSentJournal, RejoinContext } from './rejoin/rejoin';

/**
 * Records applied in one transaction. A record costs up to ≈ 1 ms of
 * synchronous work (verify, canonicalise, SQLite) and nothing else runs on the
 * node meanwhile: 100 keep one chunk near 100 ms, so the API stays responsive
 * while a partner's campaign floods the inbox (500 held it for ≈ 0.5 s).
 */
export const INBOX_CHUNK_RECORDS = 100;

/**
 * Where the inbox consumer stands, for readiness and the monitor. `retrying`:
 * a chunk failed for a reason outside any one record (e.g. the database is
 * unreachable) and is being tried again; `stopped`: it kept failing, the
 * consumer gave up, and an operator must look (the node's readiness fails).
 */
export interface InboxConsumerStatus {
  state: 'starting' | 'running' | 'retrying' | 'stopped';
  /** the last failure, without personal data (no record content) */
  lastError: string | null;
  /** attempts of the current failing chunk */
  attempts: number;
  since: number;
}

/** The inbox status with the inbox partitions this replica holds in its consumer group now. */
export interface InboxConsumerView extends InboxConsumerStatus {
  /** empty while the group rebalances, or when another replica holds them all */
  partitions: number[];
}

/** Tries of one chunk before the consumer stops; waits double from 1 s (1+2+4+8 s in all). */
export const CHUNK_ATTEMPTS = 5;

export interface ExchangeNodeOptions {
  me: string;
  /** the cluster and this node's principal (its certificate) */
  kafka: KafkaConnection;
  keys: NodeKeys;
  peers: PeerKeys;
  transactions: Transactions;
  /** topic namespace (default `yipanqi`); tests use their own */
  topicPrefix?: string;
  /** records handled per database transaction (default INBOX_CHUNK_RECORDS) */
  chunkSize?: number;
  /** consumer group session timeout; a crashed node's partitions move after this long */
  sessionTimeoutMs?: number;
  /** fault tests only: kill this process at that point of the first publish */
  relayCrashPoint?: RelayCrashPoint;
  /** the domain's check before a valid message is applied (agreements) */
  gate?: InboxGate;
  /** first wait before a failed chunk is tried again (doubles each time); tests shorten it */
  chunkRetryMs?: number;
  log?: (message: string) => void;
  /** each message's outcome (received: applied, rejected, dead letter, dropped; sent): metrics, logs */
  onEvent?: ExchangeEventListener;
  /** each failed relay round (the message is logged too): metrics */
  onRelayError?: (err: Error) => void;
}

/**
 * One node's connection to the exchange: its topics, the outbox and relay
 * (sending) and the inbox consumer (receiving). Offsets are committed only
 * after the transaction holding a chunk's effects has committed.
 */
export class ExchangeNode {
  readonly outbox: Outbox;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly relay: OutboxRelay;
  private consumer: Consumer | undefined;
  private processor: InboxProcessor | undefined;
  private stopped = false;
  private readonly log: (message: string) => void;
  private assignedPartitions: number[] = [];
  /** crashes kafkajs gave up on, in a row (see recreateAfterCrash) */
  private crashes = 0;
  /** when a consumer of this node last joined its group */
  private joinedAt = 0;
  /** when the inbox consumer last asked the broker for records (readiness: a stalled consumer) */
  private lastFetchAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private consumerStatus: InboxConsumerStatus = {
    state: 'starting',
    lastError: null,
    attempts: 0,
    since: Date.now(),
  };

  /** what a restored node had answered before, for its inbox and outbox (rejoin/) */
  private readonly givenReplies = new GivenReplies();

  constructor(private readonly options: ExchangeNodeOptions) {
    this.log = options.log ?? (() => undefined);
    this.kafka = kafkaClient(options.kafka, `yipanqi-node-${options.me}`);
    // dead letters only: a letter sent twice is the same evidence twice, so no idempotence
    this.producer = this.kafka.producer();
    this.admin = this.kafka.admin();
    this.relay = new OutboxRelay({
      me: options.me,
      newProducer: () => this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 }),
      transactions: options.transactions,
      leadership: relayLeadershipFor(options.transactions.dataSource, options.me),
      onError: (err) => {
        this.log(`outbox relay: ${err.message}`);
        options.onRelayError?.(err);
      },
      onSent: options.onEvent,
      topicPrefix: options.topicPrefix,
      crashPoint: options.relayCrashPoint,
    });
    this.outbox = new Outbox(options.me, options.keys.signing.privateKey, () => this.relay.kick());
  }

  /** Waits for this node's topics (the operator provisions them) and starts publishing the outbox. */
  async start(): Promise<void> {
    const { me, topicPrefix = TOPIC_PREFIX } = this.options;
    await this.admin.connect();
    await waitForTopics(
      this.admin,
      [
        inboxTopic(me, topicPrefix),
        deadLetterTopic(me, topicPrefix),
        sentJournalTopic(me, topicPrefix),
      ],
      { log: this.log },
    );
    await this.producer.connect();
    // before anything is sent: a restored database continues its streams where the journal ends
    await recoverFromSentJournal(this.rejoinContext(), () => this.givenReplies.expect());
    this.relay.start();
  }

  private rejoinContext(): RejoinContext {
    return {
      me: this.options.me,
      topicPrefix: this.options.topicPrefix ?? TOPIC_PREFIX,
      kafka: this.kafka,
      admin: this.admin,
      transactions: this.options.transactions,
      peers: this.options.peers,
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 30000,
      log: this.log,
    };
  }

  /** Starts consuming this node's inbox; `handlers` are the domain's message handlers. */
  async consume(handlers: InboxHandlers): Promise<void> {
    const { me, keys, peers, transactions, topicPrefix = TOPIC_PREFIX } = this.options;
    this.processor = new InboxProcessor(
      me,
      keys,
      peers,
      transactions,
      this.outbox,
      handlers,
      async (letters) => {
        // bounded like the row: never larger than a few KiB, whatever the record was
        await this.producer.send({
          topic: deadLetterTopic(me, topicPrefix),
          messages: letters.map((l) => ({
            key: `${l.topic}/${l.partition}/${l.offset}`,
            value: Buffer.from(l.head, 'base64'),
            headers: {
              error: cut(l.error, 1000),
              topic: l.topic,
              partition: String(l.partition),
              offset: l.offset,
              size: String(l.size),
              sha256: l.sha256,
            },
          })),
        });
      },
      this.options.gate,
      this.log,
      this.options.onEvent,
      this.givenReplies,
    );
    await this.runConsumer();
  }

  /** Creates the inbox consumer and runs it; again whenever kafkajs gives one up. */
  private async runConsumer(): Promise<void> {
    const { me, topicPrefix = TOPIC_PREFIX } = this.options;
    const chunkSize = this.options.chunkSize ?? INBOX_CHUNK_RECORDS;
    const consumer = this.kafka.consumer({
      groupId: `${topicPrefix}.node.${me}`,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: Math.min(3000, (this.options.sessionTimeoutMs ?? 30000) / 3),
    });
    const restarted = this.consumer !== undefined;
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      const reason = cut(error.message, 500);
      if (restart) this.log(`inbox consumer crashed, kafkajs restarts it: ${reason}`);
      else this.recreateAfterCrash(consumer, reason);
    });
    // which partitions this replica holds: with several replicas, where each partner's stream is handled
    const topic = inboxTopic(me, topicPrefix);
    // per partition, how often it was moved to the database's position since it was assigned
    let alignment = new Map<number, number>();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      alignment = new Map();
      this.assignedPartitions = [...(event.payload.memberAssignment[topic] ?? [])].sort(
        (a, b) => a - b,
      );
      // a partition with nothing new sends no batch to check: start each where the database is
      void this.startAtDatabasePositions(consumer, topic, this.assignedPartitions).catch(
        (err: unknown) => this.log(`inbox: positions not read: ${(err as Error).message}`),
      );
      this.joinedAt = Date.now();
      if (restarted && this.consumerStatus.state !== 'running') {
        this.log('inbox consumer: the new consumer joined its group, running again');
        this.consumerStatus = { state: 'running', lastError: null, attempts: 0, since: Date.now() };
      }
    });
    consumer.on(consumer.events.FETCH_START, () => (this.lastFetchAt = Date.now()));
    consumer.on(consumer.events.REBALANCING, () => (this.assignedPartitions = []));
    consumer.on(consumer.events.STOP, () => (this.assignedPartitions = []));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // a recreated consumer is running once it has joined its group (GROUP_JOIN)
    if (!restarted) {
      this.consumerStatus = { state: 'running', lastError: null, attempts: 0, since: Date.now() };
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (await this.movedToDatabasePosition(consumer, batch, alignment)) return;
        for (let i = 0; i < batch.messages.length; i += chunkSize) {
          if (!payload.isRunning() || payload.isStale()) return;
          const chunk = batch.messages.slice(i, i + chunkSize);
          const records: InboundRecord[] = chunk.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: m.headers,
            timestamp: m.timestamp,
          }));
          const done = await this.processWithRetries(records, () => payload.heartbeat());
          if (!done) return;
          const last = chunk[chunk.length - 1].offset;
          payload.resolveOffset(last);
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: (BigInt(last) + 1n).toString(),
            },
          ]);
          this.relay.kick();
          await payload.heartbeat();
        }
      },
    });
  }

  private async startAtDatabasePositions(
    consumer: Consumer,
    topic: string,
    partitions: number[],
  ): Promise<void> {
    const kept = await this.options.transactions.run((m) =>
      m.find(TopicPosition, { where: { topic } }),
    );
    for (const partition of partitions) {
      const at = kept.find((k) => k.partition === partition)?.nextOffset ?? 0;
      consumer.seek({ topic, partition, offset: String(at) });
    }
  }

  /**
   * The database, not the consumer group, says how far a partition was read
   * (the position is written with each chunk's effects): each assigned
   * partition starts there (startAtDatabasePositions), and when the first
   * batch after an assignment still starts elsewhere — a database restored from an older
   * copy (behind the group), offsets the group lost (ahead of it), a database
   * from before positions were kept (0: the whole partition once more, its
   * duplicates skipped) — the consumer moves there first. A few tries: a
   * batch fetched before the move may still arrive, and a gap in the offsets
   * must not hold the partition.
   */
  private async movedToDatabasePosition(
    consumer: Consumer,
    batch: { topic: string; partition: number; firstOffset(): string | null },
    alignment: Map<number, number>,
  ): Promise<boolean> {
    const moves = alignment.get(batch.partition);
    if (moves === -1) return false;
    const first = batch.firstOffset();
    const kept = await this.options.transactions.run((m) =>
      m.findOne(TopicPosition, { where: { topic: batch.topic, partition: batch.partition } }),
    );
    const at = kept?.nextOffset ?? 0;
    if (first === null || Number(first) === at || (moves ?? 0) >= 3) {
      alignment.set(batch.partition, -1);
      return false;
    }
    alignment.set(batch.partition, (moves ?? 0) + 1);
    if (moves === undefined) {
      this.log(
        `inbox: partition ${batch.partition} was to be read from offset ${first}, the database has read up to ${at}: reading from there`,
      );
    }
    consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(at) });
    return true;
  }

  /**
   * kafkajs gave `crashed` up for good: create a new consumer after a growing
   * wait, shown as `retrying` meanwhile. Crashes count as one series unless
   * the consumer before stayed in its group long enough (crashInSeries: one
   * that joins and crashes again at once must not loop forever); after
   * CONSUMER_RESTART_WAITS_MS the consumer stays stopped and readiness fails.
   */
  private recreateAfterCrash(crashed: Consumer, reason: string): void {
    if (this.stopped || crashed !== this.consumer) return;
    this.crashes = crashInSeries(this.crashes, this.joinedAt, Date.now());
    this.joinedAt = 0;
    const wait = consumerRestartWait(this.crashes);
    const attempts = this.crashes;
    if (wait === undefined) {
      this.consumerStatus = { state: 'stopped', lastError: reason, attempts, since: Date.now() };
      this.log(`inbox consumer crashed ${attempts} times in a row, it stays stopped: ${reason}`);
      return;
    }
    this.consumerStatus = {
      state: 'retrying',
      lastError: reason,
      attempts,
      since: this.consumerStatus.state === 'retrying' ? this.consumerStatus.since : Date.now(),
    };
    this.log(
      `inbox consumer crashed and kafkajs will not restart it: ${reason}; a new consumer in ${wait} ms (crash ${attempts} of ${CONSUMER_RESTART_WAITS_MS.length})`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void crashed
        .disconnect()
        .catch(() => undefined)
        .then(() => (this.stopped ? undefined : this.runConsumer()))
        .catch((err: unknown) =>
          this.recreateAfterCrash(
            this.consumer as Consumer,
            cut((err as Error)?.message ?? String(err), 500),
          ),
        );
    }, wait);
  }

  /**
   * One chunk, tried a bounded number of times. Every failure of a single
   * record ends inside the processor (rejection, dead letter, drop); what
   * reaches here is a failure of the node itself (database, directory). It is
   * logged, shown in the status, and after CHUNK_ATTEMPTS the consumer stops
   * rather than spin: false then, and nothing of the chunk is committed.
   */
  private async processWithRetries(
    records: InboundRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const processor = this.processor as InboxProcessor;
    const first = records[0];
    const where = `${first.topic}/${first.partition}/${first.offset}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.peers.upToDate(Math.max(...records.map((r) => Number(r.timestamp))));
        await processor.process(records);
        if (this.consumerStatus.state !== 'running') {
          if (this.consumerStatus.state === 'retrying')
            this.log(`inbox consumer: ${where} went through, running again`);
          this.consumerStatus = {
            state: 'running',
            lastError: null,
            attempts: 0,
            since: Date.now(),
          };
        }
        return true;
      } catch (err) {
        const reason = cut((err as Error)?.message ?? String(err), 500);
        if (attempt >= CHUNK_ATTEMPTS || this.stopped) {
          this.consumerStatus = {
            state: 'stopped',
            lastError: reason,
            attempts: attempt,
            since: Date.now(),
          };
          this.log(
            `inbox consumer: chunk at ${where} failed ${attempt} times, the consumer stops: ${reason}`,
          );
          // stopping from inside eachBatch would wait for eachBatch: do it after it returns
          setImmediate(() => void this.consumer?.stop().catch(() => undefined));
          return false;
        }
        this.consumerStatus = {
          state: 'retrying',
          lastError: reason,
          attempts: attempt,
          since: this.consumerStatus.state === 'retrying' ? this.consumerStatus.since : Date.now(),
        };
        this.log(
          `inbox consumer: chunk at ${where} failed (attempt ${attempt} of ${CHUNK_ATTEMPTS}), trying again: ${reason}`,
        );
        await this.waitKeepingSession(
          (this.options.chunkRetryMs ?? 1000) * 2 ** (attempt - 1),
          heartbeat,
        );
      }
    }
  }

  private async waitKeepingSession(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.stopped) {
      await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }

  /** Where the inbox consumer stands (readiness and the monitor). */
  inboxStatus(): InboxConsumerView {
    return { ...this.consumerStatus, partitions: [...this.assignedPartitions] };
  }

  /** When the inbox consumer last asked the broker for records (epoch ms; 0: never yet). */
  lastFetch(): number {
    return this.lastFetchAt;
  }

  /** One metadata round trip to the cluster with this node's certificate: the brokers it lists. */
  async brokers(): Promise<number> {
    const cluster = await this.admin.describeCluster();
    return cluster.brokers.length;
  }

  /** Tries a dead letter again (see InboxProcessor.redrive); undefined when there is no such letter. */
  async redriveDeadLetter(id: number): Promise<RedriveResult | undefined> {
    if (!this.processor) throw new Error('the inbox consumer has not started');
    const letter = await this.options.transactions.dataSource
      .getRepository(DeadLetter)
      .findOne({ where: { id } });
    if (!letter) return undefined;
    await this.options.peers.upToDate(letter.brokerTime);
    const result = await this.processor.redrive(letter);
    this.relay.kick();
    return result;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
    await this.relay.stop();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
