// class-transformer's @Type reads design-time metadata
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SCOPE_DOMAINS, ScopeDomain } from '../message-types';

const NODE_CODE = /^[1-9]\d{5}$/;
/** An instant in UTC, to the second: agreement terms are compared with broker times. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const HASH = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** Calendar hours a partner has to answer (DESIGN §7 defaults: 24 / 120 / 360). */
export class AgreementSlaV1 {
  @IsInt()
  @Min(1)
  @Max(8760)
  receiptHours!: number;

  @IsInt()
  @Min(1)
  @Max(8760)
  responseHours!: number;

  @IsInt()
  @Min(1)
  @Max(8760)
  taskHours!: number;
}

/** Weights of the evaluation indicators (DESIGN §7: R V T Q S, defaults 20 25 25 15 15). */
export class AgreementWeightsV1 {
  @IsNumber()
  @Min(0)
  @Max(100)
  R!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  V!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  T!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  Q!: number;

  @IsNumber()
  @Min(0)
  @Max(100)
  S!: number;
}

/** An office's working contact for the agreement (a desk, not a private person). */
export class AgreementContactV1 {
  @Matches(NODE_CODE, { message: 'node must be a 6-digit node code' })
  node!: string;

  @IsString()
  @Length(1, 100)
  office!: string;

  @IsString()
  @Length(1, 40)
  phone!: string;
}

/**
 * The full text of one version of an agreement (区域协作协议). Its hash covers
 * every field; both parties sign that hash. The term is `[termStart, termEnd)`
 * in calendar days of China Standard Time (UTC+8).
 */
export class AgreementTermsV1 {
  @IsUUID()
  agreementId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @Matches(NODE_CODE, { message: 'inflow must be a 6-digit node code' })
  inflow!: string;

  @Matches(NODE_CODE, { message: 'outflow must be a 6-digit node code' })
  outflow!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(SCOPE_DOMAINS, { each: true })
  scope!: ScopeDomain[];

  // @ValidateNested alone lets a missing object through
  @IsObject()
  @ValidateNested()
  @Type(() => AgreementSlaV1)
  sla!: AgreementSlaV1;

  @IsObject()
  @ValidateNested()
  @Type(() => AgreementWeightsV1)
  weights!: AgreementWeightsV1;

  @Matches(INSTANT, { message: 'termStart must be a UTC instant YYYY-MM-DDTHH:MM:SSZ' })
  termStart!: string;

  @Matches(INSTANT, { message: 'termEnd must be a UTC instant YYYY-MM-DDTHH:MM:SSZ' })
  termEnd!: string;

  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AgreementContactV1)
  contacts!: AgreementContactV1[];
}

/** agreement.proposed and agreement.amended: the text, its hash and the proposer's signature. */
export class AgreementOfferPayloadV1 {
  @ValidateNested()
  @Type(() => AgreementTermsV1)
  terms!: AgreementTermsV1;

  @Matches(HASH, { message: 'hash must be a base64url SHA-256' })
  hash!: string;

  @Matches(SIGNATURE, { message: 'signature must be a base64url Ed25519 signature' })
  signature!: string;
}

/** Which offer an answer is about: the agreement, the version and the hash of its text. */
class AgreementOfferRefV1 {
  @IsUUID()
  agreementId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @Matches(HASH, { message: 'hash must be a base64url SHA-256' })
  hash!: string;
}

/** agreement.countersigned: the partner's signature over the same hash. */
export class AgreementCountersignedPayloadV1 extends AgreementOfferRefV1 {
  @Matches(SIGNATURE, { message: 'signature must be a base64url Ed25519 signature' })
  signature!: string;
}

export const DECLINE_REASONS = ['declined', 'superseded'] as const;

/** agreement.declined: the offer (proposal or amendment) of that version and hash is not accepted. */
export class AgreementDeclinedPayloadV1 extends AgreementOfferRefV1 {
  /** `superseded`: the offers crossed and the other one stands (see docs/agreements.md) */
  @IsIn(DECLINE_REASONS)
  reason!: (typeof DECLINE_REASONS)[number];

  @IsString()
  @MaxLength(1000)
  comment!: string;
}

/** agreement.suspended / .resumed / .terminated. */
export class AgreementLifecyclePayloadV1 {
  @IsUUID()
  agreementId!: string;

  @IsString()
  @MaxLength(1000)
  reason!: string;
}
