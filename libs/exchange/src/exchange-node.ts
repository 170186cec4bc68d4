import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { deadLetterTopic, inboxTopic, TOPIC_PREFIX } from '@yipanqi/contracts';
import { NodeKeys } from '@yipanqi/crypto';
import { Transactions } from '@yipanqi/persistence';
import { DeadLetter } from './entities/exchange.entities';
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
import { relayLeadershipFor } from './relay-leadership';
import { ensureNodeTopics } from './topics';

export interface ExchangeNodeOptions {
  me: string;
  brokers: string[];
  keys: NodeKeys;
  peers: PeerKeys;
  transactions: Transactions;
  /** topic namespace (default `yipanqi`); tests use their own */
  topicPrefix?: string;
  /** records handled per database transaction */
  chunkSize?: number;
  /** consumer group session timeout; a crashed node's partitions move after this long */
  sessionTimeoutMs?: number;
  /** fault tests only: kill this process at that point of the first publish */
  relayCrashPoint?: RelayCrashPoint;
  /** the domain's check before a valid message is applied (agreements) */
  gate?: InboxGate;
  log?: (message: string) => void;
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

  constructor(private readonly options: ExchangeNodeOptions) {
    this.log = options.log ?? (() => undefined);
    this.kafka = new Kafka({
      clientId: `yipanqi-node-${options.me}`,
      brokers: options.brokers,
      // kafkajs logs each retried request as an error; real failures surface as exceptions
      logLevel: logLevel.NOTHING,
    });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.admin = this.kafka.admin();
    this.relay = new OutboxRelay({
      me: options.me,
      producer: this.producer,
      transactions: options.transactions,
      leadership: relayLeadershipFor(options.transactions.dataSource, options.me),
      onError: (err) => this.log(`outbox relay: ${err.message}`),
      topicPrefix: options.topicPrefix,
      crashPoint: options.relayCrashPoint,
    });
    this.outbox = new Outbox(options.me, options.keys.signing.privateKey, () => this.relay.kick());
  }

  /** Ensures this node's topics and starts publishing the outbox. */
  async start(): Promise<void> {
    await this.admin.connect();
    await ensureNodeTopics(this.admin, this.options.me, this.options.topicPrefix);
    await this.producer.connect();
    this.relay.start();
  }

  /** Starts consuming this node's inbox; `handlers` are the domain's message handlers. */
  async consume(handlers: InboxHandlers): Promise<void> {
    const { me, keys, peers, transactions, topicPrefix = TOPIC_PREFIX } = this.options;
    const processor = (this.processor = new InboxProcessor(
      me,
      keys,
      peers,
      transactions,
      this.outbox,
      handlers,
      async (letters) => {
        await this.producer.send({
          topic: deadLetterTopic(me, topicPrefix),
          messages: letters.map((l) => ({
            key: `${l.topic}/${l.partition}/${l.offset}`,
            value: Buffer.from(l.value, 'base64'),
            headers: {
              error: l.error,
              topic: l.topic,
              partition: String(l.partition),
              offset: l.offset,
            },
          })),
        });
      },
      this.options.gate,
    ));
    const chunkSize = this.options.chunkSize ?? 500;
    const consumer = this.kafka.consumer({
      groupId: `${topicPrefix}.node.${me}`,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: Math.min(3000, (this.options.sessionTimeoutMs ?? 30000) / 3),
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: inboxTopic(me, topicPrefix), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (let i = 0; i < batch.messages.length; i += chunkSize) {
          if (!payload.isRunning() || payload.isStale()) return;
          const chunk = batch.messages.slice(i, i + chunkSize);
          const records: InboundRecord[] = chunk.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            value: m.value,
            timestamp: m.timestamp,
          }));
          await peers.upToDate(Math.max(...records.map((r) => Number(r.timestamp))));
          await processor.process(records);
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
    await this.consumer?.disconnect();
    await this.relay.stop();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
