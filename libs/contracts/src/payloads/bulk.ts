import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { REJECTION_REASONS, RejectionReason } from '../message-types';
import { IsJwe } from './common';

/**
 * Records one bulk envelope may carry (DESIGN §3 "Bulk form"). Chosen so that a
 * bulk of arrivals (≈ 0.6 KB per record with its pii) stays well inside the
 * relay's 768 KiB per request and Kafka's 1 MiB record limit.
 */
export const MAX_BULK_RECORDS = 500;

/**
 * One record of a bulk message: what the same record would have been alone,
 * without the stream fields the envelope already has. `id` is the record's
 * dedup key and the id every later message, answer and piece of evidence
 * names, as an envelope id is for a message sent alone.
 */
export class BulkRecordV1 {
  @IsUUID()
  id!: string;

  @IsOptional()
  @IsUUID()
  correlationId?: string;

  /** the readable payload of the single type, without `pii`; checked record by record */
  @IsObject()
  payload!: Record<string, unknown>;
}

/**
 * `<type>.bulk` (readable part): the records, and one JWE to the recipient
 * whose content is `{ records: [pii of record 0, pii of record 1, …] }`.
 */
export class BulkPayloadV1 {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_RECORDS)
  @ValidateNested({ each: true })
  @Type(() => BulkRecordV1)
  records!: BulkRecordV1[];

  @IsJwe()
  pii!: string;
}

/** The decrypted `pii` of a bulk: one entry per record, in the order of `records`; each checked on its own. */
export class BulkPiiV1 {
  @IsArray()
  @ArrayMaxSize(MAX_BULK_RECORDS)
  @IsObject({ each: true })
  records!: Record<string, unknown>[];
}

export const BULK_OUTCOMES = ['accepted', 'refused'] as const;
export type BulkOutcome = (typeof BULK_OUTCOMES)[number];

/** What became of one record of a bulk: accepted, or refused with the reason the record alone would have got. */
export class BulkRecordOutcomeV1 {
  @IsUUID()
  id!: string;

  @IsIn(BULK_OUTCOMES)
  outcome!: BulkOutcome;

  @ValidateIf((o: BulkRecordOutcomeV1) => o.outcome === 'refused' || o.reason !== undefined)
  @IsIn(REJECTION_REASONS)
  reason?: RejectionReason;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  detail?: string;
}

/** The bulk forms the catalogue has, and the type each record of them is (DESIGN §4). */
export const BULK_FORMS = {
  'migrant.arrival.bulk': 'migrant.arrival',
} as const;

export type BulkType = keyof typeof BULK_FORMS;
export type BulkRecordType = (typeof BULK_FORMS)[BulkType];

export function isBulkType(type: string): type is BulkType {
  return Object.hasOwn(BULK_FORMS, type);
}

/** The type a record of `type` is: the single type for a bulk form, else `type` itself. */
export function recordTypeOf(type: string): string {
  return isBulkType(type) ? BULK_FORMS[type] : type;
}
