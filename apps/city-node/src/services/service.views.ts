import { ApiProperty } from '@nestjs/swagger';
import { SCOPE_DOMAINS } from '@yipanqi/contracts';
import { PersonView } from '../common.views';
import { Delivery } from '../notices/delivery';
import type { EntitlementState } from './benefit-rules';
import type { BenefitEntitlement, ServiceReport } from './service.entities';

/** The acknowledgement of a delivered service. */
export class ServiceAcknowledgementView {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'received side: the staff member (token label) who acknowledged it',
  })
  by!: string | null;

  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiProperty({
    type: Delivery,
    nullable: true,
    description: 'received side: where the acknowledgement stands with the partner',
  })
  delivery!: Delivery | null;
}

/** A service report as lists show it: no personal data. */
export class ServiceView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['delivered', 'received'] })
  direction!: ServiceReport['direction'];

  @ApiProperty()
  peer!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty()
  serviceType!: string;

  @ApiProperty({ enum: SCOPE_DOMAINS })
  domain!: string;

  @ApiProperty({ format: 'date' })
  deliveredOn!: string;

  @ApiProperty()
  provider!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  entitlementId!: string | null;

  @ApiProperty({ description: 'the correlationId of its messages' })
  thread!: string;

  @ApiProperty({ format: 'date-time' })
  reportedAt!: string;

  @ApiProperty({
    type: Delivery,
    nullable: true,
    description: 'delivered side: where the report stands with the partner',
  })
  delivery!: Delivery | null;

  @ApiProperty()
  acknowledged!: boolean;

  @ApiProperty({ type: ServiceAcknowledgementView, nullable: true })
  acknowledgement!: ServiceAcknowledgementView | null;
}

/** One service with the person, details and remark. */
export class RevealedServiceView extends ServiceView {
  @ApiProperty({ type: PersonView, nullable: true })
  person!: PersonView | null;

  @ApiProperty({ type: String, nullable: true })
  details!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "the acknowledgement's remark" })
  remark!: string | null;
}

/** An entitlement as lists show it: no personal data. */
export class EntitlementView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['sent', 'received'] })
  direction!: BenefitEntitlement['direction'];

  @ApiProperty()
  peer!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty()
  benefit!: string;

  @ApiProperty({ enum: SCOPE_DOMAINS })
  domain!: string;

  @ApiProperty({ description: 'decimal yuan', example: '1200.00' })
  amount!: string;

  @ApiProperty({ enum: ['CNY'] })
  currency!: 'CNY';

  @ApiProperty({ format: 'date' })
  periodFrom!: string;

  @ApiProperty({ format: 'date' })
  periodTo!: string;

  @ApiProperty({ enum: ['open', 'delivered'] })
  state!: EntitlementState;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the service that delivers it (GET /services/:id)',
  })
  serviceId!: string | null;

  @ApiProperty({ format: 'date-time' })
  grantedAt!: string;

  @ApiProperty({
    type: Delivery,
    nullable: true,
    description: 'sent side: where the benefit.entitlement message stands with the partner',
  })
  delivery!: Delivery | null;
}

/** One entitlement with the person and note. */
export class RevealedEntitlementView extends EntitlementView {
  @ApiProperty({ type: PersonView })
  person!: PersonView;

  @ApiProperty({ type: String, nullable: true })
  note!: string | null;
}
