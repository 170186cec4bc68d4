// class-transformer's @Type reads design-time metadata
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { utcInstantMs } from '../instant';
import { PayloadSchemas } from './schema';

/**
 * The criteria of a subjective rating (互评打分), each an integer 1 (poor) to
 * 5 (excellent). Scoring (DESIGN §7, indicator S) uses their plain mean, so
 * they weigh the same; a new criterion is a new payload version.
 */
export const EVALUATION_CRITERIA = [
  'responsiveness', // 响应及时: answers and acts on requests promptly
  'dataQuality', // 信息质量: what it sends is complete, correct and current
  'cooperation', // 协作配合: joint work, contact desk reachable, problems resolved together
  'serviceQuality', // 服务质量: services delivered on the partner's behalf, as agreed
] as const;

export type EvaluationCriterion = (typeof EVALUATION_CRITERIA)[number];

const SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function secondMs(value: unknown): number | undefined {
  return typeof value === 'string' && SECOND.test(value) ? utcInstantMs(value) : undefined;
}

/** A real UTC instant to the second, e.g. 2026-01-01T00:00:00Z. */
function IsUtcSecond(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isUtcSecond',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => secondMs(value) !== undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be a UTC instant YYYY-MM-DDTHH:MM:SSZ`,
      },
    });
  };
}

/** Strictly later than the instant in another property of the same object. */
function IsLaterThan(other: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isLaterThan',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [other],
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const end = secondMs(value);
          const start = secondMs((args?.object as Record<string, unknown> | undefined)?.[other]);
          return end !== undefined && start !== undefined && end > start;
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be later than ${other}`,
      },
    });
  };
}

/** One integer 1–5 per criterion of EVALUATION_CRITERIA; all are required. */
export class EvaluationCriteriaV1 implements Record<EvaluationCriterion, number> {
  @IsInt()
  @Min(1)
  @Max(5)
  responsiveness!: number;

  @IsInt()
  @Min(1)
  @Max(5)
  dataQuality!: number;

  @IsInt()
  @Min(1)
  @Max(5)
  cooperation!: number;

  @IsInt()
  @Min(1)
  @Max(5)
  serviceQuality!: number;
}

/**
 * evaluation.rated: coordination staff of the sender rate the recipient for
 * the period `[periodStart, periodEnd)`. Readable throughout: the rating is
 * about an office, never a person, and auditors recompute scores from it.
 */
export class EvaluationRatedPayloadV1 {
  @IsUtcSecond()
  periodStart!: string;

  @IsUtcSecond()
  @IsLaterThan('periodStart')
  periodEnd!: string;

  // ValidateNested alone lets a missing object through
  @IsObject()
  @ValidateNested()
  @Type(() => EvaluationCriteriaV1)
  criteria!: EvaluationCriteriaV1;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export const EVALUATION_SCHEMAS = {
  'evaluation.rated': { 1: { payload: EvaluationRatedPayloadV1 } },
} satisfies PayloadSchemas;
