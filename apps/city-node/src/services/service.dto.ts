import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  AMOUNT_MESSAGE,
  AMOUNT_PATTERN,
  BENEFITS,
  Benefit,
  IsCalendarDate,
  IsNotBefore,
  PersonV1,
  SCOPE_DOMAINS,
  ScopeDomain,
  SERVICE_TYPES,
  ServiceType,
} from '@yipanqi/contracts';
import { needsPerson } from './service-rules';

const NODE_CODE = /^[1-9]\d{5}$/;

/** POST /services: a service this node delivered on the partner's behalf. */
export class ReportServiceDto {
  /** the partner node on whose behalf the service was delivered */
  @Matches(NODE_CODE, { message: 'to must be a 6-digit node code' })
  to!: string;

  /** the agreement's scope item the service falls under */
  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  @IsIn(SERVICE_TYPES)
  serviceType!: ServiceType;

  /** YYYY-MM-DD (China Standard Time), not later than today */
  @IsCalendarDate()
  deliveredOn!: string;

  /** the delivering organisation, e.g. 惠城区妇幼保健院 */
  @IsString()
  @Length(1, 200)
  provider!: string;

  /**
   * whom it was given to: required, except for a publicity session (a group)
   * and for a benefit payment of an entitlement (then it is the entitlement's person)
   */
  @ValidateIf(
    (o: ReportServiceDto) =>
      o.person !== undefined || (needsPerson(o.serviceType) && o.entitlementId === undefined),
  )
  @IsDefined({ message: 'person is required for this service type' })
  @ValidateNested()
  @Type(() => PersonV1)
  person?: PersonV1;

  /** what was done; travels encrypted */
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  details?: string;

  /** the received benefit entitlement this payment delivers (serviceType benefit-payment) */
  @IsOptional()
  @IsUUID()
  entitlementId?: string;

  /** the agreement to send under; by default the one in force with `to` that covers `domain` */
  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** POST /services/:id/acknowledge */
export class AcknowledgeServiceDto {
  /** travels encrypted: it may name the person */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  remark?: string;
}

const BOOLEAN = ['true', 'false'] as const;

class ListQuery {
  /** at most this many, newest first (default 100) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** GET /services filters. */
export class ListServicesQuery extends ListQuery {
  /** `delivered`: services this node gave for partners; `received`: partners' reports to it */
  @IsOptional()
  @IsIn(['delivered', 'received'])
  direction?: 'delivered' | 'received';

  @IsOptional()
  @IsIn(BOOLEAN)
  acknowledged?: (typeof BOOLEAN)[number];
}

/** POST /benefits/entitlements: the outflow node grants a benefit for the inflow node to pay. */
export class GrantEntitlementDto {
  /** the inflow node where the person lives */
  @Matches(NODE_CODE, { message: 'to must be a 6-digit node code' })
  to!: string;

  @IsIn(BENEFITS)
  benefit!: Benefit;

  /** yuan (CNY) as a decimal string, e.g. "120.00" */
  @IsString()
  @Matches(AMOUNT_PATTERN, { message: AMOUNT_MESSAGE })
  amount!: string;

  /** first day of the period the benefit is for (YYYY-MM-DD) */
  @IsCalendarDate()
  periodFrom!: string;

  /** last day of the period (inclusive) */
  @IsCalendarDate()
  @IsNotBefore('periodFrom')
  periodTo!: string;

  @IsDefined({ message: 'person is required' })
  @ValidateNested()
  @Type(() => PersonV1)
  person!: PersonV1;

  /** e.g. the decision number; travels encrypted */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** GET /benefits/entitlements filters. */
export class ListEntitlementsQuery extends ListQuery {
  /** `sent`: granted by this node; `received`: granted by partners for this node to pay */
  @IsOptional()
  @IsIn(['sent', 'received'])
  direction?: 'sent' | 'received';

  @IsOptional()
  @IsIn(['open', 'delivered'])
  state?: 'open' | 'delivered';
}
