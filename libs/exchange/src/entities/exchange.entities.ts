import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';

/**
 * Outgoing envelopes, written in the same transaction as the domain change
 * that caused them (transactional outbox). The relay publishes them in
 * `position` order and sets `sentAt`; the partner's receipt or rejection
 * fills the `answer*` columns.
 */
@Entity('exchange_outbox')
@Index('ix_outbox_pending', ['sentAt', 'position'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ name: 'position' })
  position!: number;

  @Index('ux_outbox_id', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'text' })
  envelope!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  sentAt!: number | null;

  /**
   * LogAppendTime the partner's inbox gave the record (from the produce
   * acknowledgement): when the message counts as sent for SLA clocks. The
   * partner's receipt states it too, signed; null until published.
   */
  @Column({ name: 'broker_time', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  brokerTime!: number | null;

  @Column({ name: 'answer', type: 'varchar', length: 16, nullable: true })
  answer!: 'receipt' | 'rejection' | null;

  @Column({ name: 'answer_id', type: 'varchar', length: 36, nullable: true })
  answerId!: string | null;

  @Column({ name: 'answer_reason', type: 'varchar', length: 32, nullable: true })
  answerReason!: string | null;
}

/** Last seq and hash of each stream, per partner and direction. */
@Entity('exchange_stream')
export class StreamState {
  @PrimaryColumn({ type: 'varchar', length: 6 })
  peer!: string;

  @PrimaryColumn({ type: 'varchar', length: 3 })
  direction!: 'out' | 'in';

  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;

  @Column({ name: 'last_hash', type: 'varchar', length: 64, nullable: true })
  lastHash!: string | null;

  /**
   * Set when a validly signed envelope of an incoming stream was refused for
   * its position (SEQ_GAP, CHAIN_BROKEN) while the stream was in step: the
   * stream has diverged from its sender. Cleared when the stream advances.
   */
  @Column({ name: 'stalled_reason', type: 'varchar', length: 32, nullable: true })
  stalledReason!: string | null;

  /** the first envelope refused since the stream diverged */
  @Column({ name: 'stalled_message_id', type: 'varchar', length: 36, nullable: true })
  stalledMessageId!: string | null;

  @Column({ name: 'stalled_since', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  stalledSince!: number | null;
}

/**
 * Every envelope that entered a stream (valid signature, next seq, intact
 * chain), with its outcome. The primary key is the dedup key: a redelivery
 * finds its row and has no second effect.
 */
@Entity('exchange_inbox')
export class InboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'sender', type: 'varchar', length: 6 })
  from!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'text' })
  envelope!: string;

  /** LogAppendTime of the record: the clock SLAs and scores use */
  @Column({ name: 'broker_time', type: 'bigint', transformer: bigintAsNumber })
  brokerTime!: number;

  @Column({ type: 'varchar', length: 16 })
  outcome!: 'applied' | 'rejected' | 'dead-lettered';

  @Column({ name: 'rejection_reason', type: 'varchar', length: 32, nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'received_at', type: 'bigint', transformer: bigintAsNumber })
  receivedAt!: number;
}

/** Rejections this node sent or received, for the exchange monitor. */
@Entity('exchange_rejection')
@Index('ix_rejection_direction', ['direction', 'at'])
export class RejectionRecord {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'sent' | 'received';

  @Column({ type: 'varchar', length: 6, nullable: true })
  peer!: string | null;

  @Column({ name: 'message_id', type: 'varchar', length: 64, nullable: true })
  messageId!: string | null;

  @Column({ name: 'message_hash', type: 'varchar', length: 64, nullable: true })
  messageHash!: string | null;

  @Column({ type: 'varchar', length: 32 })
  reason!: string;

  @Column({ type: 'text' })
  detail!: string;

  /** false when no signed rejection was sent: the refused message was itself an answer, or a replay */
  @Column({ type: 'boolean' })
  published!: boolean;

  /**
   * The refused envelope, when it was an answer (receipt or rejection) that
   * could not enter its stream: what it acknowledged stays on record. Answers
   * are small; the envelope size limit bounds them anyway.
   */
  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;
}

/**
 * The bounded evidence kept of a record that was not applied (record-evidence.ts),
 * the same columns in the dead letters and the dropped records: where it sits
 * in the log, which holds the whole record, and what it was. Not an entity:
 * each table has these columns of its own (concrete table inheritance).
 */
export abstract class KeptRecord {
  @Column({ type: 'varchar', length: 255 })
  topic!: string;

  @Column({ type: 'integer' })
  partition!: number;

  @Column({ name: 'record_offset', type: 'varchar', length: 32 })
  offset!: string;

  @Column({ name: 'record_key', type: 'varchar', length: 64, nullable: true })
  key!: string | null;

  /** bytes of the record value */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  size!: number;

  /** SHA-256 of the record value, hex */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  /** the first 4 KiB of the record value, base64 (it may not even be text) */
  @Column({ type: 'text' })
  head!: string;

  /** record headers as JSON, bounded */
  @Column({ type: 'text' })
  headers!: string;

  @Column({ name: 'broker_time', type: 'bigint', transformer: bigintAsNumber })
  brokerTime!: number;
}

/**
 * Records that could not be parsed, or whose handler kept failing; also on
 * yipanqi.dlq.<code>. Only bounded evidence is kept (record-evidence.ts): the
 * inbox topic holds the whole record at topic/partition/offset.
 */
@Entity('exchange_dead_letter')
export class DeadLetter extends KeptRecord {
  @PrimaryGeneratedColumn()
  id!: number;

  /** the envelope id when the record entered its stream (its handler failed) */
  @Column({ name: 'message_id', type: 'varchar', length: 36, nullable: true })
  messageId!: string | null;

  @Column({ type: 'text' })
  error!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'redriven_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  redrivenAt!: number | null;
}

/**
 * Why a record was counted and dropped without an answer (DESIGN §3): it
 * cannot be attributed to a directory member, or it is not where its sender
 * put it.
 */
export const DROP_REASONS = [
  /** the claimed sender is not in the directory at the record's broker time */
  'UNKNOWN_SENDER',
  /** the signature does not verify with the claimed sender's key */
  'BAD_SIGNATURE',
  /** the record key is not the envelope's `from`: not on its sender's stream */
  'KEY_MISMATCH',
  /** validly signed but addressed to another node: a copy, not a message to us */
  'MISADDRESSED',
  /** an exact copy of a message already refused and answered once */
  'REPLAYED',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** One counter per reason and claimed sender: the monitor's view of dropped traffic. */
@Entity('exchange_drop_count')
export class DropCount {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  reason!: DropReason;

  /** the `from` the record claimed (or its key), cut to 64 characters */
  @PrimaryColumn({ name: 'claimed_from', type: 'varchar', length: 64 })
  claimedFrom!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  count!: number;

  @Column({ name: 'first_at', type: 'bigint', transformer: bigintAsNumber })
  firstAt!: number;

  @Column({ name: 'last_at', type: 'bigint', transformer: bigintAsNumber })
  lastAt!: number;
}

/** Bounded evidence of a sample of dropped records (drop-sampling.ts says which). */
@Entity('exchange_dropped_record')
@Index('ix_dropped_at', ['at'])
export class DroppedRecord extends KeptRecord {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  reason!: DropReason;

  @Column({ name: 'claimed_from', type: 'varchar', length: 64 })
  claimedFrom!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 64, nullable: true })
  messageId!: string | null;

  @Column({ type: 'varchar', length: 1000 })
  detail!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;
}

/**
 * How far this node has read each partition of its own topics (its inbox,
 * its sent journal), written in the same transaction as what it read. The
 * database, not the consumer group, is the truth: a node restored from an
 * older backup reads again from here (docs/operations.md "Backup and restore").
 */
@Entity('exchange_topic_position')
export class TopicPosition {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  topic!: string;

  @PrimaryColumn({ type: 'integer' })
  partition!: number;

  /** the offset of the next record to read */
  @Column({ name: 'next_offset', type: 'bigint', transformer: bigintAsNumber })
  nextOffset!: number;
}

/**
 * A reply this node sent before it was restored from an older backup — a
 * receipt, a rejection, or a message a handler sends in answer — found in its
 * sent journal, to a partner's message the restored database has not read
 * yet. When the inbox reads that message again the reply stands: the partner
 * holds it, so the node neither decides otherwise nor sends a second one.
 */
@Entity('exchange_given_reply')
export class GivenReply {
  /** the reply's envelope id (its row is in the outbox again) */
  @PrimaryColumn({ name: 'reply_id', type: 'varchar', length: 36 })
  replyId!: string;

  /** the partner's message it answers (its causationId) */
  @Index('ix_given_reply_message')
  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  /** a rejection's reason */
  @Column({ type: 'varchar', length: 32, nullable: true })
  reason!: string | null;
}

/**
 * One record of a bulk message this node received (DESIGN §3 "Bulk form"):
 * its id is the record's dedup key, as an envelope's id is a message's.
 */
@Entity('exchange_inbox_record')
export class InboxRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** the bulk envelope that carried it */
  @Index('ix_inbox_record_message')
  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ name: 'from_node', type: 'varchar', length: 64 })
  from!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: 'accepted' | 'refused';

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason!: string | null;
}

/**
 * One record of a bulk message this node sent, and what the recipient made
 * of it (null until its answer is in).
 */
@Entity('exchange_outbox_record')
export class OutboxRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** the bulk envelope that carries it */
  @Index('ix_outbox_record_message')
  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ type: 'varchar', length: 64 })
  peer!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome!: 'accepted' | 'refused' | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason!: string | null;
}

export const EXCHANGE_ENTITIES = [
  OutboxMessage,
  StreamState,
  InboxMessage,
  RejectionRecord,
  DeadLetter,
  DropCount,
  DroppedRecord,
  TopicPosition,
  GivenReply,
  InboxRecord,
  OutboxRecord,
];
