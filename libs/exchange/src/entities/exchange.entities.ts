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

  /** false when the claimed sender is unknown: nobody to send a signed rejection to */
  @Column({ type: 'boolean' })
  published!: boolean;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;
}

/** Records that could not be parsed (or applied) at all; also on yipanqi.dlq.<code>. */
@Entity('exchange_dead_letter')
export class DeadLetter {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 255 })
  topic!: string;

  @Column({ type: 'integer' })
  partition!: number;

  @Column({ name: 'record_offset', type: 'varchar', length: 32 })
  offset!: string;

  /** the record value, base64 (it may not even be text) */
  @Column({ type: 'text' })
  value!: string;

  @Column({ name: 'broker_time', type: 'bigint', transformer: bigintAsNumber })
  brokerTime!: number;

  @Column({ type: 'text' })
  error!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'redriven_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  redrivenAt!: number | null;
}

export const EXCHANGE_ENTITIES = [
  OutboxMessage,
  StreamState,
  InboxMessage,
  RejectionRecord,
  DeadLetter,
];
