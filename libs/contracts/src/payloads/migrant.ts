import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsJwe, MARITAL_STATUSES, MaritalStatus } from './common';
import { IsPersonText, PersonV1 } from './person';
import { PayloadSchemas } from './schema';

/** 婚姻状况 as the residence registration records it. */

/** What `migrant.updated` may change (the person's identity — ID number, name — never changes). */
export const MIGRANT_UPDATABLE_FIELDS = [
  'phone',
  'address',
  'maritalStatus',
  'children',
  'residencePermitNumber',
] as const;
export type MigrantUpdatableField = (typeof MIGRANT_UPDATABLE_FIELDS)[number];

const DIVISION_CODE = /^[1-9]\d{5}$/;
const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;

/** The person's circumstances besides identity: travel in `pii`, kept encrypted at rest. */
export class MigrantCircumstancesV1 {
  /** 居住证 number at the inflow place */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  residencePermitNumber?: string;

  @IsOptional()
  @IsIn(MARITAL_STATUSES)
  maritalStatus?: MaritalStatus;

  /** number of children */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  children?: number;
}

/**
 * 流入登记通报 (inflow → outflow). `recordId` is the inflow node's record of
 * the person and the `correlationId` of every later message about it.
 */
export class MigrantArrivalPayloadV1 {
  @IsUUID()
  recordId!: string;

  @IsCalendarDate()
  arrivedOn!: string;

  /** 户籍地: the county-level division of the household registration */
  @Matches(DIVISION_CODE, { message: 'householdDivision must be a 6-digit division code' })
  householdDivision!: string;

  /** the record this person had at the previous inflow node, when that node announced them */
  @IsOptional()
  @IsUUID()
  previousRecordId?: string;

  /** the registration campaign (e.g. a 清理清查 drive) the arrival was collected in */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  campaignId?: string;

  @IsJwe()
  pii!: string;
}

export class MigrantArrivalPiiV1 {
  @ValidateNested()
  @Type(() => PersonV1)
  person!: PersonV1;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  residencePermitNumber?: string;

  @IsIn(MARITAL_STATUSES)
  maritalStatus!: MaritalStatus;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  children?: number;
}

/**
 * 流出通报 (inflow → outflow), and the same message to the next inflow node
 * when the person moves on to a partner of the sender: there `nextNode` is the
 * recipient and `pii` holds the person, so that it can expect them.
 */
export class MigrantDeparturePayloadV1 {
  @IsUUID()
  recordId!: string;

  @IsCalendarDate()
  leftOn!: string;

  @IsOptional()
  @Matches(DIVISION_CODE, { message: 'nextNode must be a 6-digit node code' })
  nextNode?: string;

  /** the outflow node of the record: the recipient, unless this is the announcement to `nextNode` */
  @Matches(DIVISION_CODE, { message: 'outflowNode must be a 6-digit node code' })
  outflowNode!: string;

  @Matches(DIVISION_CODE, { message: 'householdDivision must be a 6-digit division code' })
  householdDivision!: string;

  @IsJwe()
  pii!: string;
}

/** Empty for the outflow node (it knows the person); the person for the next inflow node. */
export class MigrantDeparturePiiV1 extends MigrantCircumstancesV1 {
  @IsOptional()
  @ValidateNested()
  @Type(() => PersonV1)
  person?: PersonV1;
}

/** Changed circumstances (either direction): readable names of the fields, the values in `pii`. */
export class MigrantUpdatedPayloadV1 {
  @IsUUID()
  recordId!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(MIGRANT_UPDATABLE_FIELDS.length)
  @IsIn(MIGRANT_UPDATABLE_FIELDS, { each: true })
  changed!: MigrantUpdatableField[];

  @IsJwe()
  pii!: string;
}

export class MigrantUpdatedPiiV1 extends MigrantCircumstancesV1 {
  @IsOptional()
  @Matches(PHONE, { message: 'phone must be digits, spaces or dashes' })
  phone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsPersonText()
  address?: string;
}

export const MIGRANT_SCHEMAS = {
  'migrant.arrival': { 1: { payload: MigrantArrivalPayloadV1, pii: MigrantArrivalPiiV1 } },
  'migrant.departure': { 1: { payload: MigrantDeparturePayloadV1, pii: MigrantDeparturePiiV1 } },
  'migrant.updated': { 1: { payload: MigrantUpdatedPayloadV1, pii: MigrantUpdatedPiiV1 } },
} satisfies PayloadSchemas;
