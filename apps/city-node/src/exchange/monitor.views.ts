import { ApiProperty } from '@nestjs/swagger';
import { DROP_REASONS } from '@yipanqi/exchange';
import type { DropReason } from '@yipanqi/exchange';

const EPOCH_MS = { type: 'integer', description: 'epoch milliseconds' } as const;
const NULLABLE_EPOCH_MS = { ...EPOCH_MS, nullable: true } as const;
const NULLABLE_STRING = { type: String, nullable: true } as const;

/** GET /exchange/keys: this node's public keys, as the coordinator's directory should list them. */
export class NodePublicKeysView {
  @ApiProperty()
  node!: string;

  @ApiProperty({ description: 'Ed25519 public key, base64url' })
  signingKey!: string;

  @ApiProperty({ description: 'X25519 public key, base64url' })
  encryptionKey!: string;
}

export class StreamStallView {
  @ApiProperty()
  reason!: string;

  @ApiProperty(NULLABLE_STRING)
  firstMessageId!: string | null;

  @ApiProperty({ format: 'date-time' })
  since!: string;
}

/** One stream with a partner, each way. */
export class StreamView {
  @ApiProperty()
  peer!: string;

  @ApiProperty({ enum: ['out', 'in'] })
  direction!: 'out' | 'in';

  @ApiProperty({ type: 'integer' })
  lastSeq!: number;

  @ApiProperty(NULLABLE_STRING)
  lastHash!: string | null;

  @ApiProperty({ type: StreamStallView, nullable: true })
  stalled!: StreamStallView | null;
}

export class InboxConsumerStatusView {
  @ApiProperty({ enum: ['starting', 'running', 'retrying', 'stopped'] })
  state!: 'starting' | 'running' | 'retrying' | 'stopped';

  @ApiProperty({ ...NULLABLE_STRING, description: 'the last failure, without personal data' })
  lastError!: string | null;

  @ApiProperty({ type: 'integer', description: 'attempts of the current failing chunk' })
  attempts!: number;

  @ApiProperty(EPOCH_MS)
  since!: number;

  @ApiProperty({
    type: 'integer',
    isArray: true,
    description: 'the inbox partitions this replica holds; empty while the group rebalances',
  })
  partitions!: number[];
}

export class StalledStreamView {
  @ApiProperty()
  peer!: string;

  @ApiProperty(NULLABLE_STRING)
  reason!: string | null;

  @ApiProperty(NULLABLE_STRING)
  firstMessageId!: string | null;

  @ApiProperty({ type: 'integer' })
  lastSeq!: number;
}

/** Records dropped without an answer, counted by reason and claimed sender. */
export class DropCountView {
  @ApiProperty({ enum: DROP_REASONS })
  reason!: DropReason;

  @ApiProperty()
  claimedFrom!: string;

  @ApiProperty({ type: 'integer' })
  count!: number;

  @ApiProperty(EPOCH_MS)
  firstAt!: number;

  @ApiProperty(EPOCH_MS)
  lastAt!: number;
}

/** GET /exchange/status */
export class ExchangeStatusView {
  @ApiProperty({ type: InboxConsumerStatusView })
  inbox!: InboxConsumerStatusView;

  @ApiProperty({ type: [StalledStreamView] })
  stalledStreams!: StalledStreamView[];

  @ApiProperty({ type: [DropCountView] })
  dropped!: DropCountView[];
}

/** A message waiting in the outbox. */
export class OutboxMessageView {
  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  peer!: string;

  @ApiProperty({ type: 'integer' })
  seq!: number;

  @ApiProperty()
  type!: string;

  @ApiProperty()
  hash!: string;

  @ApiProperty({ description: 'the signed envelope, JSON' })
  envelope!: string;

  @ApiProperty(EPOCH_MS)
  createdAt!: number;

  @ApiProperty(NULLABLE_EPOCH_MS)
  sentAt!: number | null;

  @ApiProperty(NULLABLE_EPOCH_MS)
  brokerTime!: number | null;

  @ApiProperty({ enum: ['receipt', 'rejection'], nullable: true })
  answer!: 'receipt' | 'rejection' | null;

  @ApiProperty(NULLABLE_STRING)
  answerId!: string | null;

  @ApiProperty(NULLABLE_STRING)
  answerReason!: string | null;
}

/** GET /exchange/outbox */
export class OutboxView {
  @ApiProperty({ type: 'integer', description: 'not yet published' })
  pending!: number;

  @ApiProperty({ type: 'integer', description: 'published, not yet answered' })
  unanswered!: number;

  @ApiProperty({ type: [OutboxMessageView] })
  oldest!: OutboxMessageView[];
}

/** A rejection sent or received. */
export class RejectionView {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty({ enum: ['sent', 'received'] })
  direction!: 'sent' | 'received';

  @ApiProperty(NULLABLE_STRING)
  peer!: string | null;

  @ApiProperty(NULLABLE_STRING)
  messageId!: string | null;

  @ApiProperty(NULLABLE_STRING)
  messageHash!: string | null;

  @ApiProperty()
  reason!: string;

  @ApiProperty()
  detail!: string;

  @ApiProperty()
  published!: boolean;

  @ApiProperty(NULLABLE_STRING)
  evidence!: string | null;

  @ApiProperty(EPOCH_MS)
  at!: number;
}

/** Where a Kafka record came from, and what of it is kept. */
export class KeptRecordView {
  @ApiProperty()
  topic!: string;

  @ApiProperty({ type: 'integer' })
  partition!: number;

  @ApiProperty()
  offset!: string;

  @ApiProperty(NULLABLE_STRING)
  key!: string | null;

  @ApiProperty({ type: 'integer' })
  size!: number;

  @ApiProperty()
  sha256!: string;

  @ApiProperty({ description: 'record headers as JSON, bounded' })
  headers!: string;

  @ApiProperty(EPOCH_MS)
  brokerTime!: number;
}

/** A dead letter as a list shows it: without the kept bytes. */
export class DeadLetterSummaryView extends KeptRecordView {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty(NULLABLE_STRING)
  messageId!: string | null;

  @ApiProperty()
  error!: string;

  @ApiProperty(EPOCH_MS)
  createdAt!: number;

  @ApiProperty(NULLABLE_EPOCH_MS)
  redrivenAt!: number | null;
}

/** GET /exchange/dead-letters/:id: with the kept bytes. */
export class DeadLetterView extends DeadLetterSummaryView {
  @ApiProperty({ description: 'the first 4 KiB of the record value, base64' })
  head!: string;
}

/** A record dropped without an answer (sampled evidence). */
export class DroppedRecordView extends KeptRecordView {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty({ enum: DROP_REASONS })
  reason!: DropReason;

  @ApiProperty()
  claimedFrom!: string;

  @ApiProperty(NULLABLE_STRING)
  messageId!: string | null;

  @ApiProperty()
  detail!: string;

  @ApiProperty(EPOCH_MS)
  at!: number;

  @ApiProperty({ description: 'the first 4 KiB of the record value, base64' })
  head!: string;
}

const NEXT = {
  type: 'integer',
  nullable: true,
  description: 'the `before` of the next page; null on the last',
} as const;

export class RejectionPageView {
  @ApiProperty({ type: [RejectionView] })
  items!: RejectionView[];

  @ApiProperty(NEXT)
  next!: number | null;
}

export class DeadLetterPageView {
  @ApiProperty({ type: [DeadLetterSummaryView] })
  items!: DeadLetterSummaryView[];

  @ApiProperty(NEXT)
  next!: number | null;
}

export class DroppedRecordPageView {
  @ApiProperty({ type: [DroppedRecordView] })
  items!: DroppedRecordView[];

  @ApiProperty(NEXT)
  next!: number | null;
}

/** POST /exchange/dead-letters/:id/redrive: what the re-drive came to. */
export class RedriveView {
  @ApiProperty({ enum: ['applied', 'rejected', 'dead-lettered', 'refused'] })
  outcome!: 'applied' | 'rejected' | 'dead-lettered' | 'refused';

  @ApiProperty()
  messageId!: string;

  @ApiProperty(NULLABLE_STRING)
  reason!: string | null;
}
