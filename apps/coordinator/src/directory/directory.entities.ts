import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';

/**
 * Every version of every node's signed entry, as published. The topic keeps
 * only the latest per node; the coordinator keeps the history.
 */
@Entity('directory_entry')
export class DirectoryEntryRow {
  @PrimaryColumn({ type: 'varchar', length: 6 })
  code!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  /** the signed entry's JSON, byte for byte what goes on the topic */
  @Column({ type: 'text' })
  entry!: string;

  @Column({ name: 'issued_at', type: 'bigint', transformer: bigintAsNumber })
  issuedAt!: number;

  /** null until the broker acknowledged it */
  @Column({ name: 'published_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  publishedAt!: number | null;
}

export const REGISTRATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** A node's request to join the directory, waiting for staff (or decided by them). */
@Entity('directory_registration')
export class Registration {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 6 })
  code!: string;

  /** the division's name from the dataset */
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'signing_key', type: 'varchar', length: 43 })
  signingKey!: string;

  @Column({ name: 'encryption_key', type: 'varchar', length: 43 })
  encryptionKey!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: RegistrationStatus;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'decided_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  decidedAt!: number | null;

  /** label of the token that approved or rejected it */
  @Column({ name: 'decided_by', type: 'varchar', length: 200, nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note!: string | null;
}

export const DIRECTORY_ENTITIES = [DirectoryEntryRow, Registration];
