import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';
import { MigrantSide, MigrantStatus } from './migrant-rules';

/**
 * One record of a migrant (流动人口) on this node: registered here, our
 * resident living at a partner, or announced as coming here (`side`). The
 * person and their circumstances (`pii`) are kept only encrypted under the
 * node-local data key; the ID number and the name are found through blind
 * indexes.
 */
@Entity('migrant')
@Index(['idIndex'])
@Index(['nameIndex'])
@Index(['status', 'arrivedOn'])
export class Migrant {
  /** the record id the inflow node made; the `correlationId` of every message about it */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  side!: MigrantSide;

  @Column({ type: 'varchar', length: 16 })
  status!: MigrantStatus;

  /** where the person lives (lived) */
  @Column({ name: 'inflow_node', type: 'varchar', length: 6 })
  inflowNode!: string;

  @Column({ name: 'outflow_node', type: 'varchar', length: 6 })
  outflowNode!: string;

  /** the node that holds the other side of this record */
  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  /** the agreement the record's last message travelled under */
  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  @Column({ name: 'household_division', type: 'varchar', length: 6 })
  householdDivision!: string;

  /** YYYY-MM-DD; null for an expected person */
  @Column({ name: 'arrived_on', type: 'varchar', length: 10, nullable: true })
  arrivedOn!: string | null;

  /** YYYY-MM-DD: left this inflow place (expected: left the previous one) */
  @Column({ name: 'left_on', type: 'varchar', length: 10, nullable: true })
  leftOn!: string | null;

  @Column({ name: 'next_node', type: 'varchar', length: 6, nullable: true })
  nextNode!: string | null;

  /** the person's record at the inflow node before this one */
  @Column({ name: 'previous_record_id', type: 'varchar', length: 36, nullable: true })
  previousRecordId!: string | null;

  /** expected → arrived: the record of the arrival registered here */
  @Column({ name: 'arrival_record_id', type: 'varchar', length: 36, nullable: true })
  arrivalRecordId!: string | null;

  @Column({ name: 'campaign_id', type: 'varchar', length: 64, nullable: true })
  campaignId!: string | null;

  /** blindIndex(dataKey, idNumber) */
  @Column({ name: 'id_index', type: 'varchar', length: 64 })
  idIndex!: string;

  /** blindIndex(dataKey, `name:${name}`) */
  @Column({ name: 'name_index', type: 'varchar', length: 64 })
  nameIndex!: string;

  /** MigrantPii (JSON) encrypted with encryptAtRest */
  @Column({ type: 'text' })
  pii!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber })
  updatedAt!: number;
}
