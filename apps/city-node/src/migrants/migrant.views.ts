import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MARITAL_STATUSES, MaritalStatus, MIGRANT_UPDATABLE_FIELDS } from '@yipanqi/contracts';
import type { MigrantUpdatableField } from '@yipanqi/contracts';
import { PersonView } from '../common.views';
import { MIGRANT_STATUSES, MigrantSide, MigrantStatus } from './migrant-rules';

/** POST /migrants/arrivals: the record registered and the message that tells the outflow node. */
export class ArrivalRegisteredView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['registered'] })
  status!: string;

  @ApiProperty({ example: '511500' })
  outflowNode!: string;

  @ApiProperty({ format: 'uuid' })
  agreementId!: string;

  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "the expected entry (a previous inflow node's announcement) this arrival answered",
  })
  previousRecordId!: string | null;
}

/** One finding about one field of a refused row. */
export class ArrivalFieldErrorView {
  @ApiProperty()
  field!: string;

  @ApiProperty({ description: 'INVALID, UNKNOWN_FIELD or a field-specific code' })
  code!: string;

  @ApiProperty()
  problem!: string;
}

/** What became of one row of POST /migrants/arrivals/bulk. */
export class BulkArrivalResultView {
  @ApiProperty({ type: 'integer', description: 'the index of the row in `arrivals`' })
  row!: number;

  @ApiProperty({ enum: ['registered', 'refused'] })
  outcome!: 'registered' | 'refused';

  @ApiPropertyOptional({ format: 'uuid', description: 'registered rows' })
  id?: string;

  @ApiPropertyOptional({ description: 'registered rows' })
  outflowNode?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'registered rows' })
  agreementId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "registered rows: the record's id in its bulk message, what answers and evidence name",
  })
  messageId?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'registered rows' })
  previousRecordId?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'refused rows: the status POST /migrants/arrivals would answer',
  })
  status?: number;

  @ApiPropertyOptional({ description: 'refused rows: the problem code' })
  code?: string;

  @ApiPropertyOptional({ description: 'refused rows' })
  detail?: string;

  @ApiPropertyOptional({ type: [ArrivalFieldErrorView], description: 'refused rows' })
  errors?: ArrivalFieldErrorView[];
}

export class BulkArrivalsView {
  @ApiProperty({ type: [BulkArrivalResultView], description: 'one per row, in order' })
  results!: BulkArrivalResultView[];
}

/** Whether the next node was told of a departure. */
export class NextNodeNoticeView {
  @ApiProperty()
  node!: string;

  @ApiProperty()
  notified!: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  messageId?: string;

  @ApiPropertyOptional({
    description:
      'why it was not told: a problem code (NO_AGREEMENT, OUT_OF_SCOPE, AGREEMENT_INACTIVE, UNKNOWN_PARTNER …)',
  })
  reason?: string;

  @ApiPropertyOptional()
  detail?: string;
}

export class DepartureOutflowView {
  @ApiProperty()
  node!: string;

  @ApiProperty({ format: 'uuid' })
  messageId!: string;
}

/** POST /migrants/:id/departure */
export class DepartureView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: MIGRANT_STATUSES })
  status!: string;

  @ApiProperty({ format: 'date' })
  leftOn!: string;

  @ApiProperty({
    type: DepartureOutflowView,
    description: 'the message that tells the outflow node',
  })
  outflow!: DepartureOutflowView;

  @ApiPropertyOptional({ type: NextNodeNoticeView, description: 'when the next node is known' })
  next?: NextNodeNoticeView;
}

/** PATCH /migrants/:id */
export class MigrantUpdatedView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: MIGRANT_UPDATABLE_FIELDS, isArray: true })
  changed!: MigrantUpdatableField[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the message that tells the partner; null when nothing changed',
  })
  messageId!: string | null;
}

/** A record without personal data: what lists show. */
export class MigrantView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['inflow', 'outflow', 'expected'] })
  side!: MigrantSide;

  @ApiProperty({ enum: MIGRANT_STATUSES })
  status!: MigrantStatus;

  @ApiProperty()
  inflowNode!: string;

  @ApiProperty()
  outflowNode!: string;

  @ApiProperty({ description: 'the partner that holds the other side of the record' })
  peer!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty({ description: "the household registration's county code" })
  householdDivision!: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  arrivedOn!: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftOn!: string | null;

  @ApiProperty({ type: String, nullable: true })
  nextNode!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  previousRecordId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  arrivalRecordId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  campaignId!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** A record with the person and their circumstances (needs X-Access-Purpose, access-logged). */
export class RevealedMigrantView extends MigrantView {
  @ApiProperty({ type: PersonView })
  person!: PersonView;

  @ApiPropertyOptional()
  residencePermitNumber?: string;

  @ApiPropertyOptional({ enum: MARITAL_STATUSES })
  maritalStatus?: MaritalStatus;

  @ApiPropertyOptional({ type: 'integer' })
  children?: number;
}

/** GET /migrants: one page of records. */
export class MigrantPageView {
  @ApiProperty({ type: 'integer' })
  total!: number;

  @ApiProperty({ type: 'integer' })
  page!: number;

  @ApiProperty({ type: 'integer' })
  limit!: number;

  @ApiProperty({
    type: [MigrantView],
    description:
      'with `reveal=true`, `idNumber` or `name`, each also carries the person and circumstances of RevealedMigrantView',
  })
  items!: MigrantView[];
}
