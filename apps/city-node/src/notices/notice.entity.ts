import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';

/**
 * 信息通报 sent or received. `pii` (title and text) stays a JWE encrypted to
 * this node's own X25519 key: personal data is never stored in clear.
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

  @Column({ type: 'varchar', length: 16 })
  category!: string;

  @Column({ type: 'varchar', length: 32 })
  domain!: string;

  @Column({ type: 'text' })
  pii!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;
}
