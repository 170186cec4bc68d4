import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';

/**
 * 信息通报 sent or received. `pii` (title and text) is never stored in clear:
 * sent notices under the node-local data key, received ones as they arrived
 * (a JWE to this node's X25519 key).
 */
@Entity('notice')
export class Notice {
  /** the envelope id that carried it */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'sent' | 'received';

  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  /** the agreement it travelled under */
  @Column({ name: 'agreement_id', type: 'varchar', length: 36, nullable: true })
  agreementId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  category!: string;

  @Column({ type: 'varchar', length: 32 })
  domain!: string;

  @Column({ type: 'text' })
  pii!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  /** received notices: when staff here acknowledged reading it */
  @Column({ name: 'acknowledged_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  acknowledgedAt!: number | null;

  /** the token (id and label) of the staff member who acknowledged it */
  @Column({ name: 'acknowledged_by_token', type: 'varchar', length: 64, nullable: true })
  acknowledgedByToken!: string | null;

  @Column({ name: 'acknowledged_by', type: 'varchar', length: 200, nullable: true })
  acknowledgedBy!: string | null;
}
