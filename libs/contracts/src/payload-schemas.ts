import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import {
  AgreementCountersignedPayloadV1,
  AgreementDeclinedPayloadV1,
  AgreementLifecyclePayloadV1,
  AgreementOfferPayloadV1,
} from './payloads/agreement';
import { ReceiptPayloadV1, RejectionPayloadV1 } from './payloads/answers';
import { CERTIFICATE_SCHEMAS } from './payloads/certificate';
import { EVALUATION_SCHEMAS } from './payloads/evaluation';
import { MIGRANT_SCHEMAS } from './payloads/migrant';
import { NoticePayloadV1, NoticePiiV1 } from './payloads/notice';
import { PayloadSchema, PayloadSchemas } from './payloads/schema';
import { SERVICE_SCHEMAS } from './payloads/service';
import { TASK_SCHEMAS } from './payloads/task';

type DtoClass = new () => object;

/**
 * The versions each message type accepts. A new payload version is a new
 * entry; a version not listed here is rejected UNSUPPORTED_VERSION.
 */
export const PAYLOAD_SCHEMAS: PayloadSchemas = {
  ...MIGRANT_SCHEMAS,
  ...CERTIFICATE_SCHEMAS,
  ...TASK_SCHEMAS,
  ...SERVICE_SCHEMAS,
  ...EVALUATION_SCHEMAS,
  'agreement.proposed': { 1: { payload: AgreementOfferPayloadV1 } },
  'agreement.amended': { 1: { payload: AgreementOfferPayloadV1 } },
  'agreement.countersigned': { 1: { payload: AgreementCountersignedPayloadV1 } },
  'agreement.declined': { 1: { payload: AgreementDeclinedPayloadV1 } },
  'agreement.suspended': { 1: { payload: AgreementLifecyclePayloadV1 } },
  'agreement.resumed': { 1: { payload: AgreementLifecyclePayloadV1 } },
  'agreement.terminated': { 1: { payload: AgreementLifecyclePayloadV1 } },
  notice: { 1: { payload: NoticePayloadV1, pii: NoticePiiV1 } },
  receipt: { 1: { payload: ReceiptPayloadV1 } },
  rejection: { 1: { payload: RejectionPayloadV1 } },
};

export function payloadSchema(type: string, v: number): PayloadSchema | undefined {
  return PAYLOAD_SCHEMAS[type]?.[v];
}

/**
 * Validates a plain value against a DTO class: unknown fields are errors
 * (whitelist + forbidNonWhitelisted), as are wrong types. Returns readable
 * problems such as "category: category must be one of …"; empty when valid.
 */
export function validateDto(dto: DtoClass, value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['must be an object'];
  }
  const instance = plainToInstance(dto, value);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  return flatten(errors, '');
}

function flatten(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
