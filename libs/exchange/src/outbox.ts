import { KeyObject } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '@yipanqi/crypto';
import {
  Envelope,
  MAX_PAYLOAD_BYTES,
  MessageType,
  parseEnvelope,
  PayloadOf,
  payloadSchema,
  PayloadVersion,
  validateDto,
} from '@yipanqi/contracts';
import { OutboxMessage, StreamState } from './entities/exchange.entities';
import { envelopeHash, signEnvelope } from './envelope-signing';
import { ReplayedReplies } from './rejoin/given-replies';
import { trackSentRecords } from './sent-records';
import { STREAM_START } from './stream-check';

/** What a sender decides besides the type and its payload. */
interface OutgoingFields {
  to: string;
  agreementId?: string | null;
  correlationId?: string | null;
  causationId?: string | null;
  occurredAt?: string;
}

/** Version 1 may go without `v`; any other version names itself. */
type OutgoingAt<T extends MessageType, V extends PayloadVersion<T>> = OutgoingFields &
  (V extends 1 ? { type: T; v?: V } : { type: T; v: V }) & { payload: PayloadOf<T, V> };

/**
 * What a sender decides; the outbox adds id, seq, chain and signature. The
 * payload is typed by the message type (and `v`): the class the receiver
 * validates it with (a union over types: `type` picks the payload).
 */
export type OutgoingMessage<T extends MessageType = MessageType> = {
  [K in T]: { [V in PayloadVersion<K>]: OutgoingAt<K, V> }[PayloadVersion<K>];
}[T];

export class PayloadTooLargeError extends Error {}

/** Refuses a payload over the exchange's limit (DESIGN §3 leaves it to us: 64 KiB canonical JSON). */
export function assertPayloadSize(payload: Record<string, unknown>): void {
  const size = Buffer.byteLength(canonicalJson(payload));
  if (size > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(`payload is ${size} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
}

/**
 * A payload the receiver's schema would refuse: a bug of the sender, found
 * before it is signed, stored or sent (the domain change rolls back with it).
 */
export class OutgoingPayloadInvalid extends Error {}

/**
 * What the receiver would find wrong with this payload: the same
 * class-validator schema it uses (DESIGN §3: both sides), applied to the
 * payload as it will travel (JSON, so `undefined` members are gone). The
 * encrypted `pii` is checked by each sender's own DTOs before it is encrypted.
 */
export function outgoingPayloadProblems(message: {
  type: string;
  v?: number;
  payload: unknown;
}): string[] {
  const schema = payloadSchema(message.type, message.v ?? 1);
  if (!schema) return [`${message.type} v${message.v ?? 1} is not in the catalogue`];
  return validateDto(schema.payload, JSON.parse(JSON.stringify(message.payload)));
}

/**
 * The sending half of the transactional outbox: `enqueue` must run inside the
 * transaction of the domain change that causes the message, so both commit or
 * neither does. It numbers the from→to stream and chains each envelope to the
 * previous one's hash.
 */
export class Outbox {
  /** transactions of the inbox reading again what a restored node had answered */
  private readonly replays = new WeakMap<EntityManager, ReplayedReplies>();

  constructor(
    private readonly me: string,
    private readonly signingKey: KeyObject,
    private readonly onEnqueued: () => void = () => undefined,
  ) {}

  /**
   * Within this transaction, a reply this node had already sent (before it was
   * restored) is handed back instead of a second one being made (rejoin/).
   */
  replaying(manager: EntityManager, replies: ReplayedReplies): void {
    this.replays.set(manager, replies);
  }

  doneReplaying(manager: EntityManager): void {
    this.replays.delete(manager);
  }

  async enqueue(manager: EntityManager, message: OutgoingMessage): Promise<Envelope> {
    const [envelope] = await this.enqueueAll(manager, [message]);
    return envelope;
  }

  /** Several messages in one go (one stream read and one insert per peer and batch). */
  async enqueueAll(manager: EntityManager, messages: OutgoingMessage[]): Promise<Envelope[]> {
    for (const m of messages) {
      assertPayloadSize(m.payload);
      const problems = outgoingPayloadProblems(m);
      if (problems.length > 0) {
        throw new OutgoingPayloadInvalid(`${m.type} to ${m.to}: ${problems.join('; ')}`);
      }
    }
    const replay = this.replays.get(manager);
    const given = messages.map((m) =>
      m.causationId ? replay?.take(m.causationId, m.type) : undefined,
    );
    const sentBefore = new Map<string, Envelope>();
    const givenIds = given.flatMap((g) => (g ? [g.replyId] : []));
    if (givenIds.length > 0) {
      const rows = await manager.find(OutboxMessage, {
        select: { id: true, envelope: true },
        where: { id: In(givenIds) },
      });
      for (const row of rows) sentBefore.set(row.id, parseEnvelope(row.envelope));
      await replay?.settle(manager);
    }
    const fresh = messages.filter((_, i) => !given[i] || !sentBefore.has(given[i].replyId));
    // Locks are always taken in peer order, so two transactions never wait on each other in a circle.
    const streams = new Map<string, StreamState>();
    for (const peer of [...new Set(fresh.map((m) => m.to))].sort()) {
      streams.set(peer, await this.lockStream(manager, peer));
    }
    const rows: Partial<OutboxMessage>[] = [];
    const made = new Map<OutgoingMessage, Envelope>();
    const now = Date.now();
    for (const m of fresh) {
      const stream = streams.get(m.to) as StreamState;
      const envelope = signEnvelope(
        {
          id: uuidv7(),
          type: m.type,
          v: m.v ?? 1,
          from: this.me,
          to: m.to,
          agreementId: m.agreementId ?? null,
          correlationId: m.correlationId ?? null,
          causationId: m.causationId ?? null,
          seq: stream.lastSeq + 1,
          prevHash: stream.lastHash,
          occurredAt: m.occurredAt ?? new Date(now).toISOString(),
          payload: m.payload,
        },
        this.signingKey,
      );
      const hash = envelopeHash(envelope);
      stream.lastSeq = envelope.seq;
      stream.lastHash = hash;
      rows.push({
        id: envelope.id,
        peer: m.to,
        seq: envelope.seq,
        type: envelope.type,
        hash,
        envelope: JSON.stringify(envelope),
        createdAt: now,
        sentAt: null,
        answer: null,
        answerId: null,
        answerReason: null,
      });
      made.set(m, envelope);
    }
    for (let i = 0; i < rows.length; i += 500) {
      await manager.insert(OutboxMessage, rows.slice(i, i + 500));
    }
    await trackSentRecords(manager, [...made.values()]);
    for (const s of streams.values()) {
      await manager.update(
        StreamState,
        { peer: s.peer, direction: 'out' },
        { lastSeq: s.lastSeq, lastHash: s.lastHash },
      );
    }
    this.onEnqueued();
    return messages.map((m, i) => {
      const before = given[i] && sentBefore.get(given[i].replyId);
      return before ?? (made.get(m) as Envelope);
    });
  }

  /**
   * Reads a stream's position for update. On PostgreSQL concurrent senders
   * (HTTP requests, inbox chunks, replicas) serialise on the stream row; the
   * row is created first if missing so that there is always a row to lock.
   * SQLite transactions are serial already.
   */
  private async lockStream(manager: EntityManager, peer: string): Promise<StreamState> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(StreamState)
      .values({ peer, direction: 'out', ...STREAM_START })
      .orIgnore()
      .execute();
    const query = manager
      .getRepository(StreamState)
      .createQueryBuilder('s')
      .where('s.peer = :peer AND s.direction = :direction', { peer, direction: 'out' });
    if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
    return query.getOneOrFail();
  }
}
