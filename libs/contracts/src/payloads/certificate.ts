// class-transformer's @Type reads design-time metadata
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsCalendarDate, IsJwe, MARITAL_STATUSES, MaritalStatus } from './common';
import { IsResidentIdNumber, PersonV1 } from './person';
import { PayloadSchemas } from './schema';

/** 婚姻状况 on a 婚育证明: 未婚, 已婚 (初婚或再婚), 离婚, 丧偶. */

/** What a verification (验证) can come to (DESIGN §4). */
export const VERIFICATION_RESULTS = ['VALID', 'INVALID', 'NOT_FOUND', 'EXPIRED'] as const;
export type VerificationResult = (typeof VERIFICATION_RESULTS)[number];

/** Who answered a verification: the outflow node from its own records, or its staff. */
export const VERIFICATION_ANSWERERS = ['automatic', 'staff'] as const;
export type VerificationAnswerer = (typeof VERIFICATION_ANSWERERS)[number];

/**
 * A certificate number as it travels and is indexed: digits, capital letters,
 * Chinese characters and dashes, 4 to 40 of them. Senders normalise what staff
 * typed (no spaces, capitals) so that the blind index finds the number again.
 */
export const CERTIFICATE_NUMBER = /^[0-9A-Z\u3400-\u9fff-]{4,40}$/u;

function IsCertificateNumber(): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    IsString()(target, property);
    Matches(CERTIFICATE_NUMBER, {
      message: `${String(property)} must be 4 to 40 digits, capital letters, Chinese characters or dashes`,
    })(target, property);
  };
}

/** The validity a certificate states: from the first day to the last day, both included. */
export class CertificateValidityV1 {
  @IsCalendarDate()
  validFrom!: string;

  @IsCalendarDate()
  validUntil!: string;
}

/** `certificate.issued` (outflow → inflow), readable part. `correlationId` = `certificateId`. */
export class CertificateIssuedPayloadV1 extends CertificateValidityV1 {
  @IsUUID()
  certificateId!: string;

  @IsJwe()
  pii!: string;
}

/** What a 婚育证明 says about its holder. */
export class CertificateDetailsV1 {
  @ValidateNested()
  @Type(() => PersonV1)
  holder!: PersonV1;

  @IsIn(MARITAL_STATUSES)
  maritalStatus!: MaritalStatus;

  /** number of children (现有子女数) */
  @IsInt()
  @Min(0)
  @Max(20)
  children!: number;
}

/** `certificate.issued`, the encrypted part: the number and the holder's details. */
export class CertificatePiiV1 extends CertificateDetailsV1 {
  @IsCertificateNumber()
  number!: string;
}

/** `certificate.verify.requested` (inflow → outflow), readable part. `correlationId` = `verificationId`. */
export class VerificationRequestedPayloadV1 {
  @IsUUID()
  verificationId!: string;

  @IsJwe()
  pii!: string;
}

/** `certificate.verify.requested`, the encrypted part: which number, presented by whom. */
export class VerificationPiiV1 {
  @IsCertificateNumber()
  certificateNumber!: string;

  /** the ID number of the person who presents the certificate */
  @IsResidentIdNumber()
  idNumber!: string;
}

/**
 * `certificate.verify.answered` (outflow → inflow): all readable, evaluation
 * counts it. `correlationId` = `verificationId`, `causationId` = the request's envelope id.
 */
export class VerificationAnsweredPayloadV1 {
  @IsUUID()
  verificationId!: string;

  @IsIn(VERIFICATION_RESULTS)
  result!: VerificationResult;

  @IsIn(VERIFICATION_ANSWERERS)
  answeredBy!: VerificationAnswerer;
}

export const CERTIFICATE_SCHEMAS = {
  'certificate.issued': { 1: { payload: CertificateIssuedPayloadV1, pii: CertificatePiiV1 } },
  'certificate.verify.requested': {
    1: { payload: VerificationRequestedPayloadV1, pii: VerificationPiiV1 },
  },
  'certificate.verify.answered': { 1: { payload: VerificationAnsweredPayloadV1 } },
} satisfies PayloadSchemas;
