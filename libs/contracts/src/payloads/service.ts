// class-transformer's @Type reads design-time metadata
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { IsCalendarDate, isCalendarDate, IsJwe } from './common';
import { SCOPE_DOMAINS, ScopeDomain } from '../message-types';
import { PersonV1 } from './person';
import { PayloadSchemas } from './schema';

/** Kinds of service one office delivers on the partner's behalf (服务互动, 同服务). */
export const SERVICE_TYPES = [
  'free-basic', // 免费基本服务: the free basic reproductive-health items the state provides
  'maternal-care', // 孕产期保健
  'contraception', // 避孕节育服务 (incl. the procedures, 四术)
  'health-check', // 查环查孕, reproductive-health checks
  'publicity-session', // 宣传教育活动: a group session
  'benefit-payment', // 奖励扶助兑现: paying a benefit the outflow node granted
  'other',
] as const;

export type ServiceType = (typeof SERVICE_TYPES)[number];

/** Services given to a group (a publicity session): they need not name a person. */
export const GROUP_SERVICE_TYPES: readonly ServiceType[] = ['publicity-session'];

/** Benefits the outflow node grants and the inflow node pays where the person lives. */
export const BENEFITS = [
  'only-child-parents-reward', // 独生子女父母奖励
  'rural-family-support', // 农村部分计划生育家庭奖励扶助
  'special-family-support', // 计划生育家庭特别扶助
  'other',
] as const;

export type Benefit = (typeof BENEFITS)[number];

/** Yuan with at most two decimals, more than zero, below a billion. */
export const AMOUNT_PATTERN = /^(?!0+(\.0+)?$)(0|[1-9]\d{0,8})(\.\d{1,2})?$/;
export const AMOUNT_MESSAGE =
  'amount must be yuan above zero with at most two decimals, as a string';

/** A calendar date that is not before the date in `property` of the same object. */
export function IsNotBefore(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isNotBefore',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [property],
      options,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const other = (args?.object as Record<string, unknown> | undefined)?.[property];
          // a malformed other date is reported on its own field
          return !isCalendarDate(other) || (isCalendarDate(value) && value >= other);
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'date'} must not be before ${property}`,
      },
    });
  };
}

/**
 * service.delivered: what was done, when, by whom and under which scope item
 * stays readable (evaluation and audit count services without personal-data
 * keys). Who received it and the details travel in `pii`. The thread
 * (`correlationId`) is the entitlement id when the service pays a benefit
 * entitlement, otherwise the service id.
 */
export class ServiceDeliveredPayloadV1 {
  /** the service's id, a UUIDv7 the delivering node makes */
  @IsUUID()
  serviceId!: string;

  @IsIn(SERVICE_TYPES)
  serviceType!: ServiceType;

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  /** the day the service was given (China Standard Time) */
  @IsCalendarDate()
  deliveredOn!: string;

  /** the delivering organisation, e.g. 惠城区妇幼保健院 */
  @IsString()
  @Length(1, 200)
  provider!: string;

  /** the benefit entitlement this service pays */
  @IsOptional()
  @IsUUID()
  entitlementId?: string;

  @IsString()
  @IsJwe()
  pii!: string;
}

/** service.delivered: the encrypted part. */
export class ServiceDeliveredPiiV1 {
  /** whom it was given to; a group session may name nobody */
  @IsOptional()
  @ValidateNested()
  @Type(() => PersonV1)
  person?: PersonV1;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  details?: string;
}

/** service.acknowledged: the partner confirms the service report (same thread, caused by it). */
export class ServiceAcknowledgedPayloadV1 {
  @IsUUID()
  serviceId!: string;

  /** the service's scope item */
  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  @IsString()
  @IsJwe()
  pii!: string;
}

/** service.acknowledged: the encrypted part (a remark may name the person). */
export class ServiceAcknowledgedPiiV1 {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  remark?: string;
}

/**
 * benefit.entitlement (outflow → inflow): the person is entitled to a benefit
 * to be paid where they live. Benefit, amount and period are readable so that
 * an audit can total what one region owes through another without personal
 * data; the person travels in `pii`. The thread is the entitlement id.
 */
export class BenefitEntitlementPayloadV1 {
  @IsIn(BENEFITS)
  benefit!: Benefit;

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  /** yuan (CNY) as a decimal string, e.g. "120.00": no binary fractions in money */
  @IsString()
  @Matches(AMOUNT_PATTERN, { message: AMOUNT_MESSAGE })
  amount!: string;

  /** first day of the period the benefit is for */
  @IsCalendarDate()
  periodFrom!: string;

  /** last day of that period (inclusive) */
  @IsCalendarDate()
  @IsNotBefore('periodFrom')
  periodTo!: string;

  @IsString()
  @IsJwe()
  pii!: string;
}

/** benefit.entitlement: the encrypted part. */
export class BenefitEntitlementPiiV1 {
  @IsDefined({ message: 'person is required' })
  @ValidateNested()
  @Type(() => PersonV1)
  person!: PersonV1;

  /** e.g. the decision number or bank details the inflow office needs to pay */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export const SERVICE_SCHEMAS = {
  'service.delivered': { 1: { payload: ServiceDeliveredPayloadV1, pii: ServiceDeliveredPiiV1 } },
  'service.acknowledged': {
    1: { payload: ServiceAcknowledgedPayloadV1, pii: ServiceAcknowledgedPiiV1 },
  },
  'benefit.entitlement': {
    1: { payload: BenefitEntitlementPayloadV1, pii: BenefitEntitlementPiiV1 },
  },
} satisfies PayloadSchemas;
