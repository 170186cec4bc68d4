import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { VerificationAnswerer, VerificationResult } from '@yipanqi/contracts';
import { bigintAsNumber } from '@yipanqi/persistence';

/**
 * A 婚育证明 this node issued (as outflow node) or received (as inflow node).
 * Number, holder and details (`pii`) are never stored in clear but under the
 * node-local data key — received ones too, since a certificate must stay
 * readable after the node's X25519 key is rotated. The number and the
 * holder's ID number are found through blind indexes.
 */
@Entity('certificate')
@Index('ux_certificate_number', ['issuer', 'numberIndex'], { unique: true })
@Index('ix_certificate_holder', ['holderIndex'])
export class Certificate {
  /** the certificate id (UUIDv7): the correlationId of its `certificate.issued` */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'issued' | 'received';

  /** the outflow node that issued it: numbers are unique per issuer */
  @Column({ type: 'varchar', length: 6 })
  issuer!: string;

  /** the inflow node it was issued to, or the outflow node it came from */
  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  /** the `certificate.issued` envelope that carried it */
  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  /** blindIndex(dataKey, number) */
  @Column({ name: 'number_index', type: 'varchar', length: 64 })
  numberIndex!: string;

  /** blindIndex(dataKey, holder's ID number) */
  @Column({ name: 'holder_index', type: 'varchar', length: 64 })
  holderIndex!: string;

  @Column({ name: 'valid_from', type: 'varchar', length: 10 })
  validFrom!: string;

  @Column({ name: 'valid_until', type: 'varchar', length: 10 })
  validUntil!: string;

  /** CertificatePiiV1, encrypted */
  @Column({ type: 'text' })
  pii!: string;

  /** issued: when staff issued it; received: broker time of its arrival */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;
}

/**
 * A verification (验证) this node asked for (`sent`, as inflow node) or was
 * asked (`received`, as outflow node). `pii` holds the number and the ID
 * number asked about, under the node-local data key.
 */
@Entity('certificate_verification')
@Index('ix_certificate_verification_queue', ['direction', 'status', 'dueAt'])
export class CertificateVerification {
  /** the verification id (UUIDv7) the inflow node made: the thread's correlationId */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'sent' | 'received';

  /** the outflow node asked, or the inflow node that asked */
  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  /** the `certificate.verify.requested` envelope: every answer's causationId */
  @Column({ name: 'request_message_id', type: 'varchar', length: 36 })
  requestMessageId!: string;

  /** sent: when staff asked; received: broker time of the request */
  @Column({ name: 'requested_at', type: 'bigint', transformer: bigintAsNumber })
  requestedAt!: number;

  /** received: when the answer is due (broker time + the agreement's response SLA) */
  @Column({ name: 'due_at', type: 'bigint', transformer: bigintAsNumber, nullable: true })
  dueAt!: number | null;

  /** received: the certificate of ours the number belongs to, if any */
  @Column({ name: 'certificate_id', type: 'varchar', length: 36, nullable: true })
  certificateId!: string | null;

  @Column({ type: 'varchar', length: 8 })
  status!: 'pending' | 'answered';

  @Column({ type: 'varchar', length: 16, nullable: true })
  result!: VerificationResult | null;

  @Column({ name: 'answered_by', type: 'varchar', length: 16, nullable: true })
  answeredBy!: VerificationAnswerer | null;

  /** received, answered by staff: the token that answered */
  @Column({ name: 'answerer_token', type: 'varchar', length: 64, nullable: true })
  answererToken!: string | null;

  /** sent: broker time of the answer; received: when this node answered */
  @Column({ name: 'answered_at', type: 'bigint', transformer: bigintAsNumber, nullable: true })
  answeredAt!: number | null;

  @Column({ name: 'answer_message_id', type: 'varchar', length: 36, nullable: true })
  answerMessageId!: string | null;

  /** VerificationPiiV1, encrypted */
  @Column({ type: 'text' })
  pii!: string;
}

/** The running number of the certificates this node numbered in a year (see certificateNumber). */
@Entity('certificate_number_sequence')
export class CertificateNumberSequence {
  @PrimaryColumn({ type: 'integer' })
  year!: number;

  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;
}

export const CERTIFICATE_ENTITIES = [
  Certificate,
  CertificateVerification,
  CertificateNumberSequence,
];
