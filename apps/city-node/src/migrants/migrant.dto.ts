import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import {
  IsCalendarDate,
  IsPersonText,
  IsResidentIdNumberInput,
  MARITAL_STATUSES,
  MaritalStatus,
} from '@yipanqi/contracts';
import { FieldError, MIGRANT_STATUSES, MigrantSide, MigrantStatus } from './migrant-rules';

const DIVISION = /^[1-9]\d{5}$/;
const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;

/**
 * POST /migrants/arrivals: one arrival, the same fields as a row of a
 * campaign import (validateArrivalRow checks both alike).
 */
export class RegisterArrivalDto {
  @IsResidentIdNumberInput()
  idNumber!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(50)
  @IsPersonText()
  name!: string;

  @IsOptional()
  @Matches(PHONE, { message: 'phone must be digits, spaces or dashes' })
  phone?: string;

  /** the address at the inflow place */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsPersonText()
  address!: string;

  /** YYYY-MM-DD, not in the future */
  @IsCalendarDate()
  arrivedOn!: string;

  /** 户籍地 county code; by default the ID number's first 6 digits */
  @IsOptional()
  @Matches(DIVISION, { message: 'householdDivision must be a 6-digit division code' })
  householdDivision?: string;

  /** the node to tell; by default the prefecture of the household registration */
  @IsOptional()
  @Matches(DIVISION, { message: 'outflowNode must be a 6-digit node code' })
  outflowNode?: string;

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

  /** the agreement with the outflow node; by default the one in force that covers information exchange */
  @IsOptional()
  @IsUUID()
  agreementId?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  campaignId?: string;
}

/** Arrivals one POST /migrants/arrivals/bulk takes: a campaign import's chunk. */
export const MAX_BULK_ARRIVALS = 1000;

/**
 * POST /migrants/arrivals/bulk: many arrivals, each with the fields of
 * RegisterArrivalDto. Each row is checked on its own (validateArrivalRow, as
 * a campaign import's rows are), so one bad row is a finding in the answer,
 * not a refusal of the others.
 */
export class RegisterArrivalsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_ARRIVALS)
  @IsObject({ each: true })
  arrivals!: Record<string, unknown>[];
}

/** What became of one row of POST /migrants/arrivals/bulk (`row`: its index in `arrivals`). */
export type BulkArrivalResult =
  | {
      row: number;
      outcome: 'registered';
      id: string;
      outflowNode: string;
      agreementId: string;
      /** the record's id in its bulk message: what answers and evidence name */
      messageId: string;
      previousRecordId: string | null;
    }
  | {
      row: number;
      outcome: 'refused';
      status: number;
      code: string;
      detail: string;
      errors?: FieldError[];
    };

/** POST /migrants/:id/departure */
export class DepartureDto {
  /** YYYY-MM-DD, between the arrival and today */
  @IsCalendarDate()
  leftOn!: string;

  /** where the person went, when known: a node that is told too if we have an agreement with it */
  @IsOptional()
  @Matches(DIVISION, { message: 'nextNode must be a 6-digit node code' })
  nextNode?: string;

  /** the agreement with the outflow node; by default the one in force */
  @IsOptional()
  @IsUUID()
  agreementId?: string;

  /** the agreement with `nextNode`; by default the one in force, and if none the next node is not told */
  @IsOptional()
  @IsUUID()
  nextAgreementId?: string;
}

/** PATCH /migrants/:id: the circumstances that changed (at least one field). */
export class UpdateMigrantDto {
  @IsOptional()
  @Matches(PHONE, { message: 'phone must be digits, spaces or dashes' })
  phone?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsPersonText()
  address?: string;

  @IsOptional()
  @IsIn(MARITAL_STATUSES)
  maritalStatus?: MaritalStatus;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  children?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  residencePermitNumber?: string;

  /** the agreement with the partner; by default the one in force */
  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** GET /migrants filters. Searching by ID number or name is a lookup of a person: it needs a purpose. */
export class SearchMigrantsQuery {
  @IsOptional()
  @IsResidentIdNumberInput()
  idNumber?: string;

  /** the exact name */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  @IsPersonText()
  name?: string;

  @IsOptional()
  @IsIn(MIGRANT_STATUSES)
  status?: MigrantStatus;

  @IsOptional()
  @IsIn(['inflow', 'outflow', 'expected'])
  side?: MigrantSide;

  /** origin: the household registration's county code */
  @IsOptional()
  @Matches(DIVISION, { message: 'householdDivision must be a 6-digit division code' })
  householdDivision?: string;

  /** origin: the outflow node */
  @IsOptional()
  @Matches(DIVISION, { message: 'outflowNode must be a 6-digit node code' })
  outflowNode?: string;

  @IsOptional()
  @Matches(DIVISION, { message: 'inflowNode must be a 6-digit node code' })
  inflowNode?: string;

  /** arrival date from (inclusive, YYYY-MM-DD) */
  @IsOptional()
  @IsCalendarDate()
  arrivedFrom?: string;

  /** arrival date to (inclusive, YYYY-MM-DD) */
  @IsOptional()
  @IsCalendarDate()
  arrivedTo?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** include the people (needs X-Access-Purpose; every record returned is logged) */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  reveal?: boolean;
}
