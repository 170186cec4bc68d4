import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MARITAL_STATUSES, VERIFICATION_ANSWERERS, VERIFICATION_RESULTS } from '@yipanqi/contracts';
import type { MaritalStatus, VerificationAnswerer, VerificationResult } from '@yipanqi/contracts';
import { PersonView } from '../common.views';

/** Where a message this node sent stands: queued, published, or answered with a receipt or a rejection. */
export class CertificateDelivery {
  @ApiProperty({ enum: ['queued', 'sent', 'receipt', 'rejection'] })
  state!: 'queued' | 'sent' | 'receipt' | 'rejection';

  @ApiProperty({ type: String, nullable: true, description: "the rejection's reason code" })
  reason!: string | null;
}

/** POST /certificates: the certificate issued and queued for the partner. */
export class CertificateIssuedView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'the certificate number (证明编号)' })
  number!: string;

  @ApiProperty({ format: 'date' })
  validFrom!: string;

  @ApiProperty({ format: 'date' })
  validUntil!: string;
}

/** A certificate without personal data. */
export class CertificateView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['issued', 'received'] })
  direction!: 'issued' | 'received';

  @ApiProperty()
  issuer!: string;

  @ApiProperty()
  peer!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty({ format: 'date' })
  validFrom!: string;

  @ApiProperty({ format: 'date' })
  validUntil!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiPropertyOptional({ type: CertificateDelivery, nullable: true, description: 'issued ones' })
  delivery?: CertificateDelivery | null;
}

/** A certificate in a list: with `reveal=true` also its number, holder and details. */
export class ListedCertificateView extends CertificateView {
  @ApiPropertyOptional({ description: 'revealed' })
  number?: string;

  @ApiPropertyOptional({ type: PersonView, description: 'revealed' })
  holder?: PersonView;

  @ApiPropertyOptional({ enum: MARITAL_STATUSES, description: 'revealed' })
  maritalStatus?: MaritalStatus;

  @ApiPropertyOptional({ type: 'integer', description: 'revealed: number of children' })
  children?: number;
}

/** GET /certificates/:id: the certificate with its number, holder and details. */
export class RevealedCertificateView extends CertificateView {
  @ApiProperty()
  number!: string;

  @ApiProperty({ type: PersonView })
  holder!: PersonView;

  @ApiProperty({ enum: MARITAL_STATUSES })
  maritalStatus!: MaritalStatus;

  @ApiProperty({ type: 'integer', description: 'number of children' })
  children!: number;
}

/** POST /certificates/verifications: the request recorded and queued for the issuer. */
export class VerificationRequestedView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
}

/** A verification request; with `reveal` also what it asks about. */
export class VerificationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['sent', 'received'] })
  direction!: 'sent' | 'received';

  @ApiProperty()
  peer!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty({ enum: ['pending', 'answered'] })
  status!: 'pending' | 'answered';

  @ApiProperty({ enum: VERIFICATION_RESULTS, nullable: true })
  result!: VerificationResult | null;

  @ApiProperty({ enum: VERIFICATION_ANSWERERS, nullable: true })
  answeredBy!: VerificationAnswerer | null;

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  answeredAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  dueAt!: string | null;

  @ApiProperty()
  overdue!: boolean;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  certificateId!: string | null;

  @ApiProperty({ format: 'uuid' })
  requestMessageId!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  answerMessageId!: string | null;

  @ApiPropertyOptional({ type: CertificateDelivery, nullable: true, description: 'sent ones' })
  delivery?: CertificateDelivery | null;

  @ApiPropertyOptional({ description: 'revealed' })
  certificateNumber?: string;

  @ApiPropertyOptional({ description: 'revealed' })
  idNumber?: string;
}
