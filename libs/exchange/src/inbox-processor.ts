import { KeyObject } from 'node:crypto';
import { EntityManager, In, IsNull } from 'typeorm';
import {
  BULK_FORMS,
  BulkType,
  Envelope,
  EnvelopeFormatError,
  EnvelopeOf,
  hasValidPayload,
  hasValidPii,
  isAnswer,
  isMessageType,
  MAX_PAYLOAD_BYTES,
  MessageOf,
  MessageType,
  parseEnvelope,
  PayloadOf,
  payloadSchema,
  RejectionReason,
} from '@yipanqi/contracts';
import { canonicalJson, decryptPii, NodeKeys } from '@yipanqi/crypto';
import { Transactions, insertRows } from '@yipanqi/persistence';
import { isBulkMessage, RecordRefusals, splitBulk } from './bulk-records';
import { dropIsSampled } from './drop-sampling';
import {
  DeadLetter,
  DropCount,
  DroppedRecord,
  DropReason,
  InboxMessage,
  InboxRecord,
  KeptRecord,
  OutboxMessage,
  RejectionRecord,
  StreamState,
} from './entities/exchange.entities';
import { envelopeHash, hasValidSignature } from './envelope-signing';
import { ExchangeEvent, ExchangeEventListener } from './exchange-events';
import { Outbox, OutgoingMessage } from './outbox';
import { PeerKeys } from './peer-keys';
import { answerSentRecords, RecordAnswer } from './sent-records';
import { GivenReplies, ReplayedReplies } from './rejoin/given-replies';
import { advanceTopicPosition } from './rejoin/topic-position';
import { cut, evidenceIsWhole, recordEvidence, RecordHeaders } from './record-evidence';
import { checkStream, isDivergence, STREAM_START } from './stream-check';

/** One Kafka record of this node's inbox topic. */
export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  /** the record key: a sender's records carry its node code (DESIGN §3) */
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: RecordHeaders;
  /** LogAppendTime, epoch ms as a string (kafkajs) */
  timestamp: string;
}

/** What the inbox adds to a checked envelope and its decrypted `pii`. */
interface ReceivedFields {
  hash: string;
  brokerTime: number;
  /** the sender's public signing key that verified this envelope */
  senderKey: KeyObject;
}

/**
 * An envelope that entered the stream and passed validation, as handlers see
 * it: `envelope.payload` and `pii` (the decrypted and validated `pii` member,
 * undefined for types without one) typed by the message type, e.g.
 * `ReceivedMessage<'task.requested'>`; a union over the types given.
 */
export type ReceivedMessage<T extends MessageType = MessageType> = {
  [K in T]: MessageOf<K> & ReceivedFields & BulkFields<K>;
}[T];

/**
 * A bulk's handler also gets its records, each as the message it would have
 * been alone (bulk-records.ts): only those that passed their schema and that
 * this node has not received before. It answers with the ones it refuses.
 */
type BulkFields<K> = K extends BulkType
  ? { records: (MessageOf<(typeof BULK_FORMS)[K]> & ReceivedFields)[] }
  : unknown;

/** A bulk handler returns the records it refused; every other handler nothing. */
export type InboxHandler = (
  manager: EntityManager,
  message: ReceivedMessage,
) => Promise<RecordRefusals | undefined>;

/** Domain handlers by message type (the city node registers them with @EventPattern). */
export interface InboxHandlers {
  handlerFor(type: string): InboxHandler | undefined;
}

export interface Refusal {
  reason: RejectionReason;
  detail: string;
}

/**
 * Thrown by a domain handler that finds a valid message it cannot apply, e.g.
 * an answer to a task this node never sent. Everything the handler wrote is
 * rolled back and the message gets a signed rejection; the stream goes on.
 */
export class MessageRefused extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/**
 * The domain's say before a valid message is applied, in the same
 * transaction: e.g. a flow message needs an agreement in force that covers
 * it. A refusal becomes a signed rejection; the stream still advances.
 * Receipts and rejections never pass through it.
 */
export interface InboxGate {
  refusal(manager: EntityManager, message: ReceivedMessage): Promise<Refusal | undefined>;
}

/** Where dead letters go besides the database (the yipanqi.dlq.<code> topic). */
export type DeadLetterSink = (letters: DeadLetter[]) => Promise<void>;

/** What the inbox tells its operators: one line per event, never personal data. */
export type InboxLog = (message: string) => void;

interface PreparedEnvelope {
  kind: 'envelope';
  record: InboundRecord;
  envelope: Envelope;
  hash: string;
  key: string | null;
  senderKnown: boolean;
  signatureValid: boolean;
  /** the sender's key that verified the envelope (handlers verify inner signatures with it) */
  senderKey: KeyObject | undefined;
  /** why the payload cannot be applied, found before touching the database */
  problem?: Refusal;
  /** the message typed by its schema, once its payload and pii passed it */
  received?: ReceivedMessage;
  /** a bulk's records refused before the domain sees them, by record id */
  recordsRefused?: Map<string, Refusal>;
}

type Prepared = { kind: 'unparseable'; record: InboundRecord; error: string } | PreparedEnvelope;

/** What a re-drive of a dead letter came to. */
export type RedriveResult =
  | {
      outcome: InboxMessage['outcome'] | 'refused';
      messageId: string;
      reason: string | null;
    }
  | { outcome: 'failed'; error: string };

class RedriveRefused extends Error {}

const HANDLER_ATTEMPTS = 3;

/**
 * The receiving half of the exchange. For a batch of records it verifies
 * signatures, checks each stream's seq and hash chain, deduplicates by id,
 * validates and decrypts payloads, applies the domain handlers and queues the
 * receipts and rejections — all of a batch's effects in ONE database
 * transaction. The caller commits Kafka offsets only after `process` returns.
 */
export class InboxProcessor {
  constructor(
    private readonly me: string,
    private readonly keys: NodeKeys,
    private readonly peers: PeerKeys,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
    private readonly handlers: InboxHandlers,
    private readonly deadLetterSink: DeadLetterSink,
    private readonly gate?: InboxGate,
    private readonly log: InboxLog = () => undefined,
    /** told of each record's outcome once its transaction has committed */
    private readonly onEvent: ExchangeEventListener = () => undefined,
    /** what a restored node had answered before, found in its sent journal (rejoin/) */
    private readonly givenReplies: GivenReplies = new GivenReplies(),
  ) {}

  async process(records: InboundRecord[]): Promise<void> {
    const prepared = await Promise.all(records.map((r) => this.prepare(r)));
    try {
      await this.applyInOneTransaction(prepared, new Map(), new Map());
    } catch {
      // One handler failed and rolled back the whole batch: go one record at a
      // time so that a single bad record cannot hold back the others.
      for (const p of prepared) await this.applyAlone(p);
    }
  }

  private async applyAlone(p: Prepared): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= HANDLER_ATTEMPTS; attempt++) {
      try {
        await this.applyInOneTransaction([p], new Map(), new Map());
        return;
      } catch (err) {
        if (err instanceof MessageRefused) {
          await this.applyInOneTransaction([p], new Map(), new Map([[p.record, err]]));
          return;
        }
        lastError = err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
    // Still failing: keep it as a dead letter (re-drivable) and let the stream go on.
    const failure = String((lastError as Error)?.stack ?? lastError);
    this.log(
      `inbox: record ${describe(p.record)} failed ${HANDLER_ATTEMPTS} times, kept as a dead letter: ${cut(String((lastError as Error)?.message ?? lastError), 300)}`,
    );
    await this.applyInOneTransaction([p], new Map([[p.record, failure]]), new Map());
  }

  /** Everything that does not depend on database state, done outside the transaction. */
  private async prepare(record: InboundRecord): Promise<Prepared> {
    let envelope: Envelope;
    try {
      if (!record.value) throw new EnvelopeFormatError('empty record');
      envelope = parseEnvelope(record.value);
    } catch (err) {
      return { kind: 'unparseable', record, error: (err as Error).message };
    }
    const hash = envelopeHash(envelope);
    // the key valid when the broker appended the record: neither party controls that time
    const senderKey = this.peers.signingKeyAt(envelope.from, Number(record.timestamp));
    const signatureValid = senderKey !== undefined && hasValidSignature(envelope, senderKey);
    const prepared: Prepared = {
      kind: 'envelope',
      record,
      envelope,
      hash,
      key: record.key === null ? null : String(record.key),
      senderKnown: senderKey !== undefined,
      signatureValid,
      senderKey,
    };
    if (senderKey !== undefined && signatureValid) await this.checkPayload(prepared, senderKey);
    return prepared;
  }

  private async checkPayload(p: PreparedEnvelope, senderKey: KeyObject): Promise<void> {
    const { envelope } = p;
    const fail = (reason: RejectionReason, detail: string) => {
      p.problem = { reason, detail };
    };
    if (!isMessageType(envelope.type)) {
      return fail('SCHEMA_INVALID', `unknown message type "${envelope.type}"`);
    }
    const schema = payloadSchema(envelope.type, envelope.v);
    if (!schema || (!isAnswer(envelope.type) && !this.handlers.handlerFor(envelope.type))) {
      return fail(
        'UNSUPPORTED_VERSION',
        `${envelope.type} v${envelope.v} is not accepted by ${this.me}`,
      );
    }
    const size = Buffer.byteLength(canonicalJson(envelope.payload));
    if (size > MAX_PAYLOAD_BYTES) {
      return fail('SCHEMA_INVALID', `payload is ${size} bytes, limit ${MAX_PAYLOAD_BYTES}`);
    }
    const problems: string[] = [];
    if (!hasValidPayload(envelope, problems)) return fail('SCHEMA_INVALID', problems.join('; '));
    let pii: unknown;
    if (schema.pii) {
      try {
        pii = await decryptPii(String(p.envelope.payload.pii), this.keys.encryption.privateKey);
      } catch (err) {
        return fail('DECRYPT_FAILED', (err as Error).message);
      }
    }
    const message = { envelope, pii };
    const piiProblems: string[] = [];
    if (!hasValidPii(message, piiProblems)) {
      return fail('SCHEMA_INVALID', piiProblems.map((x) => `pii.${x}`).join('; '));
    }
    const fields: ReceivedFields = {
      hash: p.hash,
      brokerTime: Number(p.record.timestamp),
      senderKey,
    };
    if (!isBulkMessage(message)) {
      p.received = { ...message, ...fields };
      return;
    }
    const split = splitBulk(message);
    if ('reason' in split) return fail(split.reason, split.detail);
    p.recordsRefused = split.refused;
    p.received = {
      ...message,
      ...fields,
      records: split.records.map((r) => ({ ...r, ...fields })),
    };
  }

  private async applyInOneTransaction(
    prepared: Prepared[],
    failures: Map<InboundRecord, string>,
    refusals: Map<InboundRecord, Refusal>,
  ): Promise<void> {
    const deadLetters: DeadLetter[] = [];
    const notes: string[] = [];
    const events: ExchangeEvent[] = [];
    await this.transactions.run(async (manager) => {
      deadLetters.length = 0;
      notes.length = 0;
      events.length = 0;
      await this.applyInOneTransactionWith(
        manager,
        prepared,
        failures,
        refusals,
        deadLetters,
        notes,
        events,
      );
      // where to read again from, in the same transaction as what was read
      const last = prepared.reduce(
        (max, p) => (BigInt(p.record.offset) > max ? BigInt(p.record.offset) : max),
        -1n,
      );
      const { topic, partition } = prepared[0].record;
      if (last >= 0n) await advanceTopicPosition(manager, topic, partition, Number(last + 1n));
    });
    for (const note of notes) this.log(note);
    for (const event of events) this.onEvent(event);
    if (deadLetters.length > 0) {
      // The database holds the letter; the topic is a convenience for
      // operators' tools, so a failure to publish there must not hold back the inbox.
      await this.deadLetterSink(deadLetters).catch((err: unknown) =>
        this.log(
          `inbox: ${deadLetters.length} dead letter(s) not published to the DLQ topic: ${(err as Error).message}`,
        ),
      );
    }
  }

  private async applyInOneTransactionWith(
    manager: EntityManager,
    prepared: Prepared[],
    failures: Map<InboundRecord, string>,
    refusals: Map<InboundRecord, Refusal>,
    deadLetters: DeadLetter[],
    notes: string[] = [],
    events: ExchangeEvent[] = [],
  ): Promise<void> {
    const ids = prepared.flatMap((p) => (p.kind === 'envelope' ? [p.envelope.id] : []));
    const given = await this.givenReplies.of(manager, ids);
    this.outbox.replaying(manager, given);
    try {
      const batch = new BatchWriter(manager, this.me, notes, given);
      const event = (
        outcome: ExchangeEvent['outcome'],
        envelope: Pick<Envelope, 'id' | 'type' | 'from'> | null,
        reason: string | null = null,
      ) =>
        events.push({
          outcome,
          messageId: envelope?.id ?? null,
          type: envelope?.type ?? null,
          from: envelope?.from ?? null,
          to: this.me,
          reason,
        });
      const known = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await manager.find(InboxMessage, {
          select: { id: true, hash: true },
          where: { id: In(ids.slice(i, i + 500)) },
        });
        for (const row of rows) known.set(row.id, row.hash);
      }

      for (const p of prepared) {
        if (p.kind === 'unparseable') {
          deadLetters.push(batch.deadLetter(p.record, p.error, null));
          event('dead-letter', null);
          continue;
        }
        const { envelope, hash, record } = p;
        const position = await batch.streamIn(envelope.from);
        const verdict = checkStream({
          envelope,
          hash,
          me: this.me,
          key: p.key,
          senderKnown: p.senderKnown,
          signatureValid: p.signatureValid,
          position,
          priorHash: known.get(envelope.id),
        });
        if (verdict.verdict === 'redelivery') continue;
        const brokerTime = Number(record.timestamp);
        if (verdict.verdict === 'drop') {
          await batch.drop(record, verdict.reason, envelope.from, envelope.id, verdict.detail);
          event('dropped', envelope, verdict.reason);
          continue;
        }
        if (verdict.verdict === 'refuse') {
          // An exact copy of a message already refused (a replay, or a
          // redelivery) was answered once: it is not answered again.
          if (await batch.alreadyRefused(envelope.id, hash)) {
            await batch.drop(record, 'REPLAYED', envelope.from, envelope.id, verdict.detail);
            event('dropped', envelope, 'REPLAYED');
            continue;
          }
          batch.reject(envelope, hash, brokerTime, verdict.reason, verdict.detail);
          event('rejected', envelope, verdict.reason);
          if (isDivergence(verdict.reason)) batch.diverged(position, envelope, verdict.reason);
          continue;
        }

        batch.advance(position, envelope.seq, hash);
        known.set(envelope.id, hash);
        const failure = failures.get(record);
        if (failure !== undefined) {
          batch.inbox(envelope, hash, brokerTime, 'dead-lettered', null);
          event('dead-letter', envelope);
          deadLetters.push(
            batch.deadLetter(
              record,
              `handler failed ${HANDLER_ATTEMPTS} times: ${failure}`,
              envelope.id,
            ),
          );
        } else if (given.answerTo(envelope.id)?.type === 'rejection') {
          // rejected before this node was restored: the partner holds that rejection
          const reason = given.answerTo(envelope.id)?.reason ?? null;
          batch.inbox(envelope, hash, brokerTime, 'rejected', reason);
          batch.rejectedBefore(envelope, hash);
          event('rejected', envelope, reason);
        } else {
          const refusal = p.problem ?? refusals.get(record) ?? (await this.gateRefusal(manager, p));
          if (refusal && given.answerTo(envelope.id)?.type === 'receipt') {
            // accepted before the restore, and the partner holds that receipt, but
            // the restored database cannot apply it: staff look at it (re-drive)
            batch.inbox(envelope, hash, brokerTime, 'dead-lettered', null);
            event('dead-letter', envelope);
            deadLetters.push(
              batch.deadLetter(
                record,
                `answered with a receipt before this node was restored, refused now: ${refusal.reason}: ${refusal.detail}`,
                envelope.id,
              ),
            );
          } else if (refusal) {
            batch.inbox(envelope, hash, brokerTime, 'rejected', refusal.reason);
            batch.reject(envelope, hash, brokerTime, refusal.reason, refusal.detail);
            event('rejected', envelope, refusal.reason);
          } else {
            await this.applyAccepted(manager, batch, p);
            batch.inbox(envelope, hash, brokerTime, 'applied', null);
            event('applied', envelope);
          }
        }
      }
      await batch.flush(this.outbox);
    } finally {
      this.outbox.doneReplaying(manager);
    }
  }

  /** The domain's verdict on a valid message (e.g. no agreement), seeing this transaction's state. */
  private async gateRefusal(
    manager: EntityManager,
    p: PreparedEnvelope,
  ): Promise<Refusal | undefined> {
    if (!this.gate || isAnswer(p.envelope.type)) return undefined;
    return this.gate.refusal(manager, checked(p));
  }

  /** Applies an envelope that entered the stream and passed validation. */
  private async applyAccepted(
    manager: EntityManager,
    batch: BatchWriter,
    p: PreparedEnvelope,
  ): Promise<void> {
    const message = checked(p);
    const { envelope } = message;
    if (envelope.type === 'receipt' || envelope.type === 'rejection') {
      batch.answerReceived(envelope);
      return;
    }
    // checkPayload guarantees a handler exists for every accepted type
    const handler = this.handlers.handlerFor(envelope.type);
    if (!handler) throw new Error(`no handler for ${envelope.type}`);
    if ('records' in message) {
      await this.applyBulk(manager, batch, p, message, handler);
      return;
    }
    await handler(manager, message);
    const { hash } = message;
    batch.answer({
      to: envelope.from,
      type: 'receipt',
      agreementId: envelope.agreementId,
      correlationId: envelope.correlationId,
      causationId: envelope.id,
      payload: {
        messageId: envelope.id,
        messageHash: hash,
        brokerTime: Number(p.record.timestamp),
      },
    });
  }

  /**
   * A bulk (DESIGN §3): each record that passed its schema and is new here
   * goes to the domain; the receipt says what became of every record, in the
   * bulk's order. A record id this node has seen before is refused DUPLICATE,
   * like an envelope id with other content (a bulk delivered again is a
   * redelivery and never reaches this point).
   */
  private async applyBulk(
    manager: EntityManager,
    batch: BatchWriter,
    p: PreparedEnvelope,
    message: ReceivedMessage<BulkType>,
    handler: InboxHandler,
  ): Promise<void> {
    const { envelope, hash } = message;
    const refused = new Map(p.recordsRefused);
    const ids = envelope.payload.records.map((r) => r.id);
    const known = new Set(await batch.knownRecords(ids));
    for (const id of known) {
      if (!refused.has(id)) {
        refused.set(id, { reason: 'DUPLICATE', detail: `record ${id} was received before` });
      }
    }
    const fresh = message.records.filter((r) => !refused.has(r.envelope.id));
    const refusedByDomain =
      fresh.length > 0 ? await handler(manager, { ...message, records: fresh }) : undefined;
    for (const [id, refusal] of refusedByDomain ?? []) refused.set(id, refusal);
    const seen = new Set<string>();
    const outcomes = ids.map((id) => {
      const repeated = seen.has(id);
      seen.add(id);
      const refusal = repeated
        ? { reason: 'DUPLICATE' as const, detail: `record ${id} is in this bulk twice` }
        : refused.get(id);
      return refusal
        ? {
            id,
            outcome: 'refused' as const,
            reason: refusal.reason,
            detail: cut(refusal.detail, 1000),
          }
        : { id, outcome: 'accepted' as const };
    });
    // a record received before keeps the row of its first arrival
    batch.records(
      envelope,
      outcomes.flatMap(({ id, outcome }) =>
        known.has(id) ? [] : [{ id, outcome, reason: refused.get(id)?.reason ?? null }],
      ),
    );
    batch.answer({
      to: envelope.from,
      type: 'receipt',
      v: 2,
      agreementId: envelope.agreementId,
      correlationId: envelope.correlationId,
      causationId: envelope.id,
      payload: {
        messageId: envelope.id,
        messageHash: hash,
        brokerTime: Number(p.record.timestamp),
        outcomes,
      },
    });
  }

  /**
   * Tries a dead letter again, e.g. after the fault that made its handler fail
   * was fixed. A message whose handler failed already holds its place in the
   * stream: it is applied (or rejected) now and answered as it would have been.
   * A record that could not be parsed goes through the whole inbox path if it
   * parses now. Nothing changes when it still fails.
   */
  async redrive(letter: DeadLetter): Promise<RedriveResult> {
    if (letter.redrivenAt !== null) return { outcome: 'failed', error: 'already re-driven' };
    const value = await this.redriveValue(letter);
    if (typeof value === 'string') return { outcome: 'failed', error: value };
    const p = await this.prepare({
      topic: letter.topic,
      partition: letter.partition,
      offset: letter.offset,
      key: letter.key,
      value,
      headers: {},
      timestamp: String(letter.brokerTime),
    });
    if (p.kind === 'unparseable')
      return { outcome: 'failed', error: `still unparseable: ${p.error}` };
    const { envelope } = p;
    try {
      await this.redriveOnce(letter, p).catch((err: unknown) => {
        if (!(err instanceof MessageRefused)) throw err;
        return this.redriveOnce(letter, p, err);
      });
    } catch (err) {
      return { outcome: 'failed', error: (err as Error).message };
    }
    const after = await this.transactions.dataSource
      .getRepository(InboxMessage)
      .findOne({ where: { id: envelope.id } });
    return after
      ? { outcome: after.outcome, messageId: envelope.id, reason: after.rejectionReason }
      : { outcome: 'refused', messageId: envelope.id, reason: null };
  }

  /**
   * The record to try again: a message that entered its stream is kept whole
   * in the inbox table; of anything else only bounded evidence is kept, which
   * holds the whole record only when it was small.
   */
  private async redriveValue(letter: DeadLetter): Promise<Buffer | string> {
    if (letter.messageId) {
      const entered = await this.transactions.dataSource
        .getRepository(InboxMessage)
        .findOne({ where: { id: letter.messageId } });
      if (!entered) return `message ${letter.messageId} is not in the inbox`;
      return Buffer.from(entered.envelope);
    }
    if (!evidenceIsWhole(letter)) {
      return (
        `only the first bytes of its ${letter.size} are kept; the whole record is in the log ` +
        `at ${letter.topic}/${letter.partition}/${letter.offset}`
      );
    }
    return Buffer.from(letter.head, 'base64');
  }

  private async redriveOnce(
    letter: DeadLetter,
    p: PreparedEnvelope,
    forced?: Refusal,
  ): Promise<void> {
    const { envelope, hash } = p;
    await this.transactions.run(async (manager) => {
      const entered = await manager.findOne(InboxMessage, { where: { id: envelope.id } });
      if (!entered) {
        await this.applyInOneTransactionWith(
          manager,
          [p],
          new Map(),
          new Map(forced ? [[p.record, forced]] : []),
          [],
        );
      } else if (entered.outcome !== 'dead-lettered' || entered.hash !== hash) {
        throw new RedriveRefused(`message ${envelope.id} was already ${entered.outcome}`);
      } else {
        const given = await this.givenReplies.of(manager, [envelope.id]);
        this.outbox.replaying(manager, given);
        const batch = new BatchWriter(manager, this.me, [], given);
        if (!p.signatureValid) throw new RedriveRefused('its signature no longer verifies');
        const refusal = p.problem ?? forced ?? (await this.gateRefusal(manager, p));
        const before = given.answerTo(envelope.id);
        if (refusal && before?.type === 'receipt') {
          // the partner holds this node's receipt: it can only be applied, never rejected now
          throw new RedriveRefused(
            `answered with a receipt before this node was restored, still refused: ${refusal.reason}`,
          );
        }
        if (before?.type === 'rejection') {
          // the partner holds this node's rejection: it stands
          entered.outcome = 'rejected';
          entered.rejectionReason = before.reason;
          batch.rejectedBefore(envelope, hash);
        } else if (refusal) {
          entered.outcome = 'rejected';
          entered.rejectionReason = refusal.reason;
          batch.reject(envelope, hash, Number(p.record.timestamp), refusal.reason, refusal.detail);
        } else {
          await this.applyAccepted(manager, batch, p);
          entered.outcome = 'applied';
        }
        await manager.save(entered);
        await batch.flush(this.outbox);
        this.outbox.doneReplaying(manager);
      }
      await manager.update(DeadLetter, { id: letter.id }, { redrivenAt: Date.now() });
    });
  }
}

/** Collects one transaction's rows so that each table gets a few multi-row inserts. */
class BatchWriter {
  private readonly streams = new Map<string, StreamState>();
  private readonly changedStreams = new Set<StreamState>();
  private readonly dropCounts = new Map<string, DropCount>();
  private readonly droppedRecords: Partial<DroppedRecord>[] = [];
  private readonly refusedHere = new Set<string>();
  private readonly inboxRows: Partial<InboxMessage>[] = [];
  private readonly rejections: Partial<RejectionRecord>[] = [];
  private readonly deadLetters: DeadLetter[] = [];
  private readonly outgoing: OutgoingMessage[] = [];
  private readonly answers: {
    peer: string;
    messageId: string;
    messageHash: string;
    answer: 'receipt' | 'rejection';
    answerId: string;
    reason: string | null;
  }[] = [];
  private readonly now = Date.now();
  /** what partners' answers say of the records of our bulks */
  private readonly recordAnswers: RecordAnswer[] = [];
  /** records of bulks applied in this batch, by id */
  private readonly recordRows = new Map<string, InboxRecord>();

  constructor(
    private readonly manager: EntityManager,
    private readonly me: string,
    /** log lines to write once the transaction has committed */
    private readonly notes: string[],
    /** this node's answers, given before it was restored, to messages of the batch */
    private readonly given: ReplayedReplies = new ReplayedReplies([]),
  ) {}

  async streamIn(peer: string): Promise<StreamState> {
    let state = this.streams.get(peer);
    if (!state) {
      state =
        (await this.manager.findOne(StreamState, { where: { peer, direction: 'in' } })) ??
        Object.assign(new StreamState(), {
          peer,
          direction: 'in',
          ...STREAM_START,
          stalledReason: null,
          stalledMessageId: null,
          stalledSince: null,
        });
      this.streams.set(peer, state);
    }
    return state;
  }

  /** The envelope entered the stream; a diverged stream is back in step. */
  advance(state: StreamState, seq: number, hash: string): void {
    state.lastSeq = seq;
    state.lastHash = hash;
    if (state.stalledReason !== null) {
      this.notes.push(`inbox: the stream from ${state.peer} advances again at seq ${seq}`);
      state.stalledReason = null;
      state.stalledMessageId = null;
      state.stalledSince = null;
    }
    this.changedStreams.add(state);
  }

  /** A validly signed envelope does not fit the stream: remember the first one, say so once. */
  diverged(state: StreamState, envelope: Envelope, reason: RejectionReason): void {
    if (state.stalledReason !== null) return;
    state.stalledReason = reason;
    state.stalledMessageId = envelope.id;
    state.stalledSince = this.now;
    this.changedStreams.add(state);
    this.notes.push(
      `inbox: the stream from ${state.peer} has diverged at seq ${state.lastSeq}: ${reason} on message ${envelope.id} (seq ${envelope.seq})`,
    );
  }

  async alreadyRefused(messageId: string, messageHash: string): Promise<boolean> {
    const key = `${messageId}/${messageHash}`;
    if (this.refusedHere.has(key)) return true;
    return this.manager.exists(RejectionRecord, {
      where: { direction: 'sent', messageId, messageHash },
    });
  }

  /** Counts a record that is not answered; keeps evidence and a log line of a sample. */
  async drop(
    record: InboundRecord,
    reason: DropReason,
    claimedFrom: string,
    messageId: string | null,
    detail: string,
  ): Promise<void> {
    const from = cut(claimedFrom, 64);
    const key = `${reason}/${from}`;
    let counter = this.dropCounts.get(key);
    if (!counter) {
      counter =
        (await this.manager.findOne(DropCount, { where: { reason, claimedFrom: from } })) ??
        Object.assign(new DropCount(), {
          reason,
          claimedFrom: from,
          count: 0,
          firstAt: this.now,
          lastAt: this.now,
        });
      this.dropCounts.set(key, counter);
    }
    counter.count++;
    counter.lastAt = this.now;
    if (!dropIsSampled(counter.count)) return;
    this.droppedRecords.push({
      reason,
      claimedFrom: from,
      messageId: messageId === null ? null : cut(messageId, 64),
      ...keptRecord(record),
      detail: cut(detail, 1000),
      at: this.now,
    });
    this.notes.push(
      `inbox: dropped without an answer (${reason}, claimed sender ${JSON.stringify(from)}, ${counter.count} so far): record ${describe(record)}`,
    );
  }

  inbox(
    envelope: Envelope,
    hash: string,
    brokerTime: number,
    outcome: InboxMessage['outcome'],
    rejectionReason: string | null,
  ): void {
    this.inboxRows.push({
      id: envelope.id,
      from: envelope.from,
      seq: envelope.seq,
      type: envelope.type,
      hash,
      envelope: JSON.stringify(envelope),
      brokerTime,
      outcome,
      rejectionReason,
      receivedAt: this.now,
    });
  }

  /** Of these record ids, the ones this node has received before (in an earlier batch or this one). */
  async knownRecords(ids: string[]): Promise<string[]> {
    const known = ids.filter((id) => this.recordRows.has(id));
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.manager.find(InboxRecord, {
        select: { id: true },
        where: { id: In(ids.slice(i, i + 500)) },
      });
      known.push(...rows.map((r) => r.id));
    }
    return known;
  }

  /** Remembers a bulk's records and their outcomes (a repeated id keeps its first). */
  records(
    envelope: Envelope,
    outcomes: { id: string; outcome: InboxRecord['outcome']; reason: string | null }[],
  ): void {
    for (const o of outcomes) {
      if (this.recordRows.has(o.id)) continue;
      this.recordRows.set(o.id, { ...o, messageId: envelope.id, from: envelope.from });
    }
  }

  /** Queues an answer (the outbox hands back one given before a restore instead: never two). */
  answer(message: OutgoingMessage): void {
    this.outgoing.push(message);
  }

  /** The monitor's record of a rejection sent before this node was restored. */
  rejectedBefore(envelope: Envelope, hash: string): void {
    const before = this.given.take(envelope.id, 'rejection');
    if (!before) return;
    this.refusedHere.add(`${envelope.id}/${hash}`);
    this.rejections.push({
      direction: 'sent',
      peer: envelope.from,
      messageId: envelope.id,
      messageHash: hash,
      reason: before.reason ?? 'UNKNOWN',
      detail: `sent as ${before.replyId} before this node was restored`,
      published: true,
      evidence: null,
      at: this.now,
    });
  }

  /**
   * Records a rejection of an authenticated envelope and, unless it would
   * answer an answer, sends it signed to the sender. A refused answer is kept
   * whole: what it acknowledged must not be lost.
   */
  reject(
    envelope: Envelope,
    hash: string,
    brokerTime: number,
    reason: RejectionReason,
    detail: string,
  ): void {
    const answer = isAnswer(envelope.type);
    const send = !answer && envelope.from !== this.me;
    this.refusedHere.add(`${envelope.id}/${hash}`);
    this.rejections.push({
      direction: 'sent',
      peer: envelope.from,
      messageId: envelope.id,
      messageHash: hash,
      reason,
      detail: cut(detail, 1000),
      published: send,
      evidence: answer ? JSON.stringify(envelope) : null,
      at: this.now,
    });
    if (send) {
      this.answer({
        to: envelope.from,
        type: 'rejection',
        agreementId: envelope.agreementId,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        payload: {
          messageId: envelope.id,
          messageHash: hash,
          brokerTime,
          reason,
          detail: detail.slice(0, 1000),
        },
      });
    }
  }

  /** A partner's receipt or rejection of one of our messages: marks it answered at flush. */
  answerReceived(envelope: EnvelopeOf<'receipt' | 'rejection'>): void {
    const answer = envelope.payload;
    if (envelope.type === 'rejection') this.rejectionReceived(envelope, envelope.payload);
    this.answers.push({
      peer: envelope.from,
      messageId: answer.messageId,
      messageHash: answer.messageHash,
      answer: envelope.type,
      answerId: envelope.id,
      reason: envelope.type === 'rejection' ? envelope.payload.reason : null,
    });
    const refused =
      'outcomes' in answer
        ? answer.outcomes.flatMap((o) =>
            o.outcome === 'refused' ? [{ id: o.id, reason: o.reason ?? null }] : [],
          )
        : [];
    if (envelope.type === 'rejection' || 'outcomes' in answer) {
      this.recordAnswers.push({
        peer: envelope.from,
        messageId: answer.messageId,
        rejectedFor: envelope.type === 'rejection' ? envelope.payload.reason : null,
        refused,
      });
    }
  }

  private rejectionReceived(envelope: Envelope, rejection: PayloadOf<'rejection'>): void {
    this.rejections.push({
      direction: 'received',
      peer: envelope.from,
      messageId: rejection.messageId,
      messageHash: rejection.messageHash,
      reason: rejection.reason,
      detail: cut(rejection.detail, 1000),
      published: false,
      evidence: null,
      at: this.now,
    });
  }

  deadLetter(record: InboundRecord, error: string, messageId: string | null): DeadLetter {
    const letter = Object.assign(new DeadLetter(), {
      ...keptRecord(record),
      messageId,
      error: error.slice(0, 4000),
      createdAt: this.now,
      redrivenAt: null,
    });
    this.deadLetters.push(letter);
    return letter;
  }

  async flush(outbox: Outbox): Promise<void> {
    const m = this.manager;
    for (let i = 0; i < this.inboxRows.length; i += 400) {
      await m.insert(InboxMessage, this.inboxRows.slice(i, i + 400));
    }
    const records = [...this.recordRows.values()];
    for (let i = 0; i < records.length; i += 150) {
      await insertRows(m, InboxRecord, records.slice(i, i + 150));
    }
    if (this.rejections.length > 0) await m.insert(RejectionRecord, this.rejections);
    if (this.deadLetters.length > 0) await m.save(DeadLetter, this.deadLetters);
    if (this.droppedRecords.length > 0) await m.insert(DroppedRecord, this.droppedRecords);
    if (this.dropCounts.size > 0) {
      await m.upsert(DropCount, [...this.dropCounts.values()], ['reason', 'claimedFrom']);
    }
    if (this.changedStreams.size > 0) {
      await m.upsert(StreamState, [...this.changedStreams], ['peer', 'direction']);
    }
    for (const a of this.answers) {
      // An answer about a message we never sent (or with another hash) matches
      // no row and changes nothing here; the auditor reports it from the log.
      await m.update(
        OutboxMessage,
        { id: a.messageId, peer: a.peer, hash: a.messageHash, answer: IsNull() },
        { answer: a.answer, answerId: a.answerId, answerReason: a.reason },
      );
    }
    for (const a of this.recordAnswers) await answerSentRecords(m, a);
    await this.given.settle(m);
    if (this.outgoing.length > 0) await outbox.enqueueAll(m, this.outgoing);
  }
}

/**
 * The message as the domain sees it: every envelope that passes its stream
 * check with a valid signature and no problem was checked by checkPayload.
 */
function checked(p: PreparedEnvelope): ReceivedMessage {
  if (!p.received) throw new Error(`message ${p.envelope.id} reached the domain unchecked`);
  return p.received;
}

/** The evidence columns of a record not applied: where it sits in the log and what it was. */
function keptRecord(record: InboundRecord): KeptRecord {
  const { key, size, sha256, head, headers } = recordEvidence(
    record.value,
    record.key,
    record.headers,
  );
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key,
    size,
    sha256,
    head,
    headers,
    brokerTime: Number(record.timestamp),
  };
}

function describe(record: InboundRecord): string {
  return `${record.topic}/${record.partition}/${record.offset}`;
}
