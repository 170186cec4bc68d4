import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';
import { Role } from './roles';

/** An issued bearer token: its hash, the role it grants, and who it was issued for. */
@Entity('api_token')
export class ApiToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ type: 'varchar', length: 200 })
  label!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  revokedAt!: number | null;
}

export const API_TOKEN_ENTITIES = [ApiToken];
