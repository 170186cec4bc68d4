import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';

/**
 * A subjective rating (互评打分, `evaluation.rated`) this node gave a partner
 * or received from one. It rates an office, never a person: nothing here is
 * personal data. Scoring does not read this table — indicator S reads the
 * rating message in the exchange log, like the auditor.
 */
@Entity('evaluation_rating')
@Index('ix_evaluation_rating', ['direction', 'at'])
export class EvaluationRating {
  /** the envelope id that carried it */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'given' | 'received';

  /** the rated node (given) or the rating node (received) */
  @Column({ type: 'varchar', length: 6 })
  partner!: string;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  /** as the payload carries them: UTC to the second */
  @Column({ name: 'period_start', type: 'varchar', length: 20 })
  periodStart!: string;

  @Column({ name: 'period_end', type: 'varchar', length: 20 })
  periodEnd!: string;

  @Column({ type: 'integer' })
  responsiveness!: number;

  @Column({ name: 'data_quality', type: 'integer' })
  dataQuality!: number;

  @Column({ type: 'integer' })
  cooperation!: number;

  @Column({ name: 'service_quality', type: 'integer' })
  serviceQuality!: number;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  /** given: the label of the staff token that rated */
  @Column({ name: 'rated_by', type: 'varchar', length: 200, nullable: true })
  ratedBy!: string | null;

  /** given: when staff rated (node clock); received: the broker time of its record */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;
}
