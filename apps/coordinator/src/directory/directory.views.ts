import { ApiProperty } from '@nestjs/swagger';
import { NODE_LEVELS, NODE_STATUSES } from '@yipanqi/directory';
import type { NodeLevel, NodeStatus } from '@yipanqi/directory';
import { REGISTRATION_STATUSES } from './directory.entities';
import type { RegistrationStatus } from './directory.entities';

const EPOCH_MS = { type: 'integer', description: 'epoch milliseconds' } as const;

/** One generation of a node's public keys and when it starts to count. */
export class DirectoryKeyView {
  @ApiProperty({ description: 'Ed25519 public key, raw 32 bytes, base64url' })
  signingKey!: string;

  @ApiProperty({ description: 'X25519 public key, raw 32 bytes, base64url' })
  encryptionKey!: string;

  @ApiProperty({
    ...EPOCH_MS,
    description: 'epoch ms; compared with the broker time (LogAppendTime) of a record',
  })
  validFrom!: number;
}

/** A time during which the node's messages are refused. */
export class SuspensionPeriodView {
  @ApiProperty(EPOCH_MS)
  from!: number;

  @ApiProperty({ ...EPOCH_MS, nullable: true, description: 'null: still suspended' })
  until!: number | null;
}

/** What the coordinator publishes about one node, signed (docs/directory.md). */
export class DirectoryEntryView {
  @ApiProperty({ example: '441300' })
  code!: string;

  @ApiProperty({ example: '惠州市' })
  name!: string;

  @ApiProperty({ enum: NODE_LEVELS })
  level!: NodeLevel;

  @ApiProperty({ enum: NODE_STATUSES })
  status!: NodeStatus;

  @ApiProperty({
    type: [DirectoryKeyView],
    description: 'ascending by validFrom; the last one is the current generation',
  })
  keys!: DirectoryKeyView[];

  @ApiProperty({
    type: [SuspensionPeriodView],
    description: 'ascending; only the last one may be open',
  })
  suspensions!: SuspensionPeriodView[];

  @ApiProperty({
    type: 'integer',
    description: '1 for the first entry of a node, +1 for each change',
  })
  version!: number;

  @ApiProperty({ ...EPOCH_MS, description: 'epoch ms, coordinator clock' })
  issuedAt!: number;

  @ApiProperty({
    description: 'base64url Ed25519 by the coordinator over the RFC 8785 form of every other field',
  })
  sig!: string;
}

/** A node's request to join, with the fingerprint staff compare with the node's operator. */
export class RegistrationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  code!: string;

  @ApiProperty({ description: "the division's name from the dataset" })
  name!: string;

  @ApiProperty()
  signingKey!: string;

  @ApiProperty()
  encryptionKey!: string;

  @ApiProperty({ description: 'of the signing key: what operators compare out of band' })
  fingerprint!: string;

  @ApiProperty({ enum: REGISTRATION_STATUSES })
  status!: RegistrationStatus;

  @ApiProperty(EPOCH_MS)
  createdAt!: number;

  @ApiProperty({ ...EPOCH_MS, nullable: true })
  decidedAt!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'label of the token that approved or rejected it',
  })
  decidedBy!: string | null;

  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
}

/** GET /directory/coordinator-key */
export class CoordinatorKeyView {
  @ApiProperty({ description: 'Ed25519 public key that signs the directory, base64url' })
  signingKey!: string;

  @ApiProperty({ description: 'to check with the coordinator before trusting the key' })
  fingerprint!: string;
}

/** POST /directory/republish */
export class RepublishedView {
  @ApiProperty({ type: 'integer', description: 'entries published again' })
  republished!: number;
}
