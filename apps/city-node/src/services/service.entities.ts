import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Benefit, ScopeDomain, ServiceType } from '@yipanqi/contracts';
import { bigintAsNumber } from '@yipanqi/persistence';
import type { ServiceDirection } from './service-rules';

/**
 * 服务记录: a service this node delivered on a partner's behalf, or one a
 * partner reported to it. `pii` (person, details) is never stored in clear:
 * delivered ones under the node-local data key, received ones as they
 * arrived (a JWE to this node's X25519 key); the acknowledgement remark
 * likewise.
 */
@Entity('service_report')
@Index('ix_service_report_list', ['direction', 'createdAt'])
export class ServiceReport {
  /** the service id (UUIDv7 made by the delivering node) */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 9 })
  direction!: ServiceDirection;

  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  @Column({ name: 'service_type', type: 'varchar', length: 24 })
  serviceType!: ServiceType;

  @Column({ type: 'varchar', length: 32 })
  domain!: ScopeDomain;

  /** YYYY-MM-DD, China Standard Time */
  @Column({ name: 'delivered_on', type: 'varchar', length: 10 })
  deliveredOn!: string;

  @Column({ type: 'varchar', length: 200 })
  provider!: string;

  @Column({ name: 'entitlement_id', type: 'varchar', length: 36, nullable: true })
  entitlementId!: string | null;

  /** blind index of the person's ID number; null for a group session */
  @Index('ix_service_report_person')
  @Column({ name: 'person_index', type: 'varchar', length: 64, nullable: true })
  personIndex!: string | null;

  @Column({ type: 'text' })
  pii!: string;

  /** the envelope id of the service.delivered message */
  @Index('ux_service_report_message', { unique: true })
  @Column({ name: 'delivered_message_id', type: 'varchar', length: 36 })
  deliveredMessageId!: string;

  /** received: when staff acknowledged it; delivered: broker time of the partner's acknowledgement */
  @Column({ name: 'acknowledged_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  acknowledgedAt!: number | null;

  /** the token (id and label) of the staff member who acknowledged it here */
  @Column({ name: 'acknowledged_by_token', type: 'varchar', length: 64, nullable: true })
  acknowledgedByToken!: string | null;

  @Column({ name: 'acknowledged_by', type: 'varchar', length: 200, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'acknowledgement_message_id', type: 'varchar', length: 36, nullable: true })
  acknowledgementMessageId!: string | null;

  /** the remark, encrypted like `pii` */
  @Column({ name: 'acknowledgement_pii', type: 'text', nullable: true })
  acknowledgementPii!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;
}

/**
 * A benefit entitlement (奖励扶助) this outflow node granted, or one a
 * partner granted for this inflow node to pay. The person (and note) are
 * encrypted like a service report's.
 */
@Entity('benefit_entitlement')
@Index('ix_benefit_entitlement_list', ['direction', 'createdAt'])
export class BenefitEntitlement {
  /** the entitlement id, the thread of its messages */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'sent' | 'received';

  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  benefit!: Benefit;

  @Column({ type: 'varchar', length: 32 })
  domain!: ScopeDomain;

  /** yuan, decimal string */
  @Column({ type: 'varchar', length: 16 })
  amount!: string;

  @Column({ name: 'period_from', type: 'varchar', length: 10 })
  periodFrom!: string;

  @Column({ name: 'period_to', type: 'varchar', length: 10 })
  periodTo!: string;

  @Index('ix_benefit_entitlement_person')
  @Column({ name: 'person_index', type: 'varchar', length: 64 })
  personIndex!: string;

  @Column({ type: 'text' })
  pii!: string;

  /** the envelope id of the benefit.entitlement message */
  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  /** the service that delivers it */
  @Column({ name: 'service_id', type: 'varchar', length: 36, nullable: true })
  serviceId!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;
}

export const SERVICE_ENTITIES = [ServiceReport, BenefitEntitlement];
