import { applyDecorators } from '@nestjs/common';
import { IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import {
  CERTIFICATE_NUMBER,
  CertificateDetailsV1,
  CertificateValidityV1,
  IsResidentIdNumberInput,
  VERIFICATION_RESULTS,
  VerificationResult,
} from '@yipanqi/contracts';
import { normaliseCertificateNumber } from './certificate-rules';

const NODE_CODE = /^[1-9]\d{5}$/;

/** Staff may type spaces and small letters; the number travels and is indexed without them. */
const CertificateNumberField = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? normaliseCertificateNumber(value) : value,
    ),
    IsString(),
    Matches(CERTIFICATE_NUMBER, {
      message: '$property must be 4 to 40 digits, letters, Chinese characters or dashes',
    }),
  );

/** POST /certificates: a 婚育证明 for its holder, issued to the inflow node where they live. */
export class IssueCertificateDto extends IntersectionType(
  CertificateDetailsV1,
  CertificateValidityV1,
) {
  /** the inflow node the certificate is for */
  @Matches(NODE_CODE, { message: 'to must be a 6-digit node code' })
  to!: string;

  /** the agreement to send under; by default the one in force with `to` that covers marriage certificates */
  @IsOptional()
  @IsUUID()
  agreementId?: string;

  /** the certificate's number when it already has one (e.g. printed); by default the node makes one: `<node>-<year>-<seq>` */
  @IsOptional()
  @CertificateNumberField()
  number?: string;
}

/** POST /certificates/verifications: ask the outflow node whether a presented certificate holds. */
export class RequestVerificationDto {
  /** the number on the certificate the person presents */
  @CertificateNumberField()
  certificateNumber!: string;

  /** the ID number of the person who presents it */
  @IsResidentIdNumberInput()
  idNumber!: string;

  /** the outflow node that issued the certificate */
  @Matches(NODE_CODE, { message: 'to must be a 6-digit node code' })
  to!: string;

  /** the agreement to send under; by default the one in force with `to` that covers marriage certificates */
  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** POST /certificates/verifications/:id/answer: what staff found. */
export class AnswerVerificationDto {
  @IsIn(VERIFICATION_RESULTS)
  result!: VerificationResult;
}

class RevealQuery {
  /** `true` returns personal data: needs X-Access-Purpose, and each record read is logged */
  @IsOptional()
  @IsIn(['true', 'false'])
  reveal?: 'true' | 'false';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** GET /certificates */
export class CertificateListQuery extends RevealQuery {
  @IsOptional()
  @IsIn(['issued', 'received'])
  direction?: 'issued' | 'received';
}

/** GET /certificates/verifications */
export class VerificationListQuery extends RevealQuery {
  @IsOptional()
  @IsIn(['sent', 'received'])
  direction?: 'sent' | 'received';

  @IsOptional()
  @IsIn(['pending', 'answered'])
  status?: 'pending' | 'answered';
}

/** GET /certificates/verifications/queue */
export class VerificationQueueQuery extends RevealQuery {}
