import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';

/** One read of personal data through the API: who, when, which record, why. */
@Entity('personal_data_access')
@Index(['recordType', 'recordId'])
export class PersonalDataAccess {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;

  @Column({ name: 'token_id', type: 'varchar', length: 64 })
  tokenId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: string;

  /** the token's label: whose desk it is */
  @Column({ type: 'varchar', length: 200 })
  label!: string;

  /** e.g. `migrant`, `certificate`, `task`, `service`, `notice` */
  @Column({ name: 'record_type', type: 'varchar', length: 32 })
  recordType!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 64 })
  recordId!: string;

  @Column({ type: 'varchar', length: 200 })
  purpose!: string;
}
