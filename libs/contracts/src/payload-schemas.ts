import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import {
  AgreementCountersignedPayloadV1,
  AgreementDeclinedPayloadV1,
  AgreementLifecyclePayloadV1,
  AgreementOfferPayloadV1,
} from './payloads/agreement';
import { ReceiptPayloadV1, ReceiptPayloadV2, RejectionPayloadV1 } from './payloads/answers';
import { BulkPayloadV1, BulkPiiV1 } from './payloads/bulk';
import { CERTIFICATE_SCHEMAS } from './payloads/certificate';
import { EVALUATION_SCHEMAS } from './payloads/evaluation';
import { MIGRANT_SCHEMAS } from './payloads/migrant';
import { NoticePayloadV1, NoticePiiV1 } from './payloads/notice';
import { DtoClass, DtoOf, PayloadSchema, PayloadSchemas } from './payloads/schema';
import { SERVICE_SCHEMAS } from './payloads/service';
import { TASK_SCHEMAS } from './payloads/task';
import { Envelope } from './envelope';
import { isMessageType, MessageType } from './message-types';

/**
 * The versions each message type accepts. A new payload version is a new
 * entry; a version not listed here is rejected UNSUPPORTED_VERSION. It is
 * also the compile-time map from type and version to payload class
 * (PayloadOf, PiiOf, EnvelopeOf below): every catalogue type has an entry.
 */
export const PAYLOAD_SCHEMAS = {
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
  'migrant.arrival.bulk': { 1: { payload: BulkPayloadV1, pii: BulkPiiV1 } },
  receipt: { 1: { payload: ReceiptPayloadV1 }, 2: { payload: ReceiptPayloadV2 } },
  rejection: { 1: { payload: RejectionPayloadV1 } },
} satisfies Record<MessageType, PayloadSchemas[string]>;

const SCHEMAS_BY_NAME: PayloadSchemas = PAYLOAD_SCHEMAS;

export function payloadSchema(type: string, v: number): PayloadSchema | undefined {
  return SCHEMAS_BY_NAME[type]?.[v];
}

type Schemas = typeof PAYLOAD_SCHEMAS;

/** The payload versions a message type has (1 for all of them so far). */
export type PayloadVersion<T extends MessageType> = keyof Schemas[T] & number;

type SchemaAt<T extends MessageType, V> = Schemas[T][V & keyof Schemas[T]];

/**
 * The payload of message type T (version V; by default any version it has),
 * as the receiver's schema accepts it, e.g. `PayloadOf<'migrant.arrival'>`.
 */
export type PayloadOf<
  T extends MessageType,
  V extends PayloadVersion<T> = PayloadVersion<T>,
> = V extends unknown ? (SchemaAt<T, V> extends { payload: infer C } ? DtoOf<C> : never) : never;

/** The decrypted `pii` member of message type T (version V): undefined for types without one. */
export type PiiOf<
  T extends MessageType,
  V extends PayloadVersion<T> = PayloadVersion<T>,
> = V extends unknown ? (SchemaAt<T, V> extends { pii: infer C } ? DtoOf<C> : undefined) : never;

/** One envelope of type T and version V, its payload typed by its schema. */
type EnvelopeAt<T extends MessageType, V extends PayloadVersion<T>> = Omit<
  Envelope,
  'type' | 'v' | 'payload'
> & { type: T; v: V; payload: PayloadOf<T, V> };

/**
 * An envelope whose payload passed the schema of its type and version (a
 * union over types and versions: checking `type` narrows `payload`).
 */
export type EnvelopeOf<T extends MessageType = MessageType> = {
  [K in T]: { [V in PayloadVersion<K>]: EnvelopeAt<K, V> }[PayloadVersion<K>];
}[T];

/** An envelope of type T with its decrypted `pii`, both passed their schemas. */
export type MessageOf<T extends MessageType = MessageType> = {
  [K in T]: {
    [V in PayloadVersion<K>]: { envelope: EnvelopeAt<K, V>; pii: PiiOf<K, V> };
  }[PayloadVersion<K>];
}[T];

/**
 * Checks an envelope's payload with the schema of its type and version, as a
 * receiver does; appends what is wrong to `problems`. True (and the envelope
 * typed by its type) when nothing is.
 */
export function hasValidPayload(envelope: Envelope, problems: string[]): envelope is EnvelopeOf {
  const schema = isMessageType(envelope.type)
    ? payloadSchema(envelope.type, envelope.v)
    : undefined;
  if (!schema) {
    problems.push(`${envelope.type} v${envelope.v} is not in the catalogue`);
    return false;
  }
  return isValidDto(schema.payload, envelope.payload, problems);
}

/**
 * Checks the decrypted `pii` of a checked envelope with its schema (types
 * without one carry none); appends what is wrong to `problems`. True (and
 * envelope and pii typed together) when nothing is.
 */
export function hasValidPii(
  message: { envelope: EnvelopeOf; pii: unknown },
  problems: string[],
): message is MessageOf {
  const schema = payloadSchema(message.envelope.type, message.envelope.v);
  if (!schema?.pii) {
    if (message.pii === undefined) return true;
    problems.push(`${message.envelope.type} carries no pii`);
    return false;
  }
  return isValidDto(schema.pii, message.pii, problems);
}

/**
 * validateDto as a guard: appends the problems to `problems`; true, and
 * `value` typed as the DTO, when there are none.
 */
export function isValidDto<C extends DtoClass>(
  dto: C,
  value: unknown,
  problems: string[] = [],
): value is DtoOf<C> {
  const found = validateDto(dto, value);
  problems.push(...found);
  return found.length === 0;
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
