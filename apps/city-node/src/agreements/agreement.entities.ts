import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';
import type { AgreementStatus } from './agreement-rules';

/** One agreement with one partner, as it stands on this node. */
@Entity('agreement')
@Index('ix_agreement_partner', ['partner', 'status'])
export class Agreement {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 6 })
  partner!: string;

  @Column({ name: 'my_role', type: 'varchar', length: 8 })
  myRole!: 'inflow' | 'outflow';

  @Column({ type: 'varchar', length: 16 })
  status!: AgreementStatus;

  /** the version in force (or, before that, the one offered) */
  @Column({ type: 'integer' })
  version!: number;

  /** hash of that version's text (agreement_version) */
  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber })
  updatedAt!: number;
}

export type VersionState =
  | 'draft'
  | 'offered' // sent or received, awaiting the other side
  | 'in-force'
  | 'replaced' // an amendment took over
  | 'declined'
  | 'superseded'; // lost to a crossing offer

/**
 * Every text an agreement ever had or was offered: the history. Both
 * signatures are over `hash`; the keys that made them are kept beside them so
 * that each side can verify the other's signature later, across key rotations.
 */
@Entity('agreement_version')
export class AgreementVersion {
  @PrimaryColumn({ name: 'agreement_id', type: 'varchar', length: 36 })
  agreementId!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  hash!: string;

  /** AgreementTermsV1 as JSON */
  @Column({ type: 'text' })
  terms!: string;

  @Column({ type: 'varchar', length: 6 })
  proposer!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: VersionState;

  /** the envelope that offered it (crossing offers are settled by it) */
  @Column({ name: 'offer_message_id', type: 'varchar', length: 36, nullable: true })
  offerMessageId!: string | null;

  @Column({ name: 'proposer_signature', type: 'varchar', length: 128, nullable: true })
  proposerSignature!: string | null;

  @Column({ name: 'proposer_key', type: 'varchar', length: 64, nullable: true })
  proposerKey!: string | null;

  @Column({ name: 'countersignature', type: 'varchar', length: 128, nullable: true })
  countersignature!: string | null;

  @Column({ name: 'countersigner_key', type: 'varchar', length: 64, nullable: true })
  countersignerKey!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'decided_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  decidedAt!: number | null;
}

/** What happened to an agreement, by whom and when: the readable history. */
@Entity('agreement_event')
@Index('ix_agreement_event', ['agreementId', 'id'])
export class AgreementEvent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 24 })
  action!: string;

  /** the node that took the step */
  @Column({ type: 'varchar', length: 6 })
  by!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36, nullable: true })
  messageId!: string | null;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;
}

export const AGREEMENT_ENTITIES = [Agreement, AgreementVersion, AgreementEvent];
