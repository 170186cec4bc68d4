import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EvaluationCriteriaV1 } from '@yipanqi/contracts';

const NODE_CODE = /^[1-9]\d{5}$/;

/** GET /evaluation/scores: the period `[start, end)` and the as-of instant, ISO 8601 with Z or an offset. */
export class ScoresQuery {
  /** first instant of the period, e.g. 2026-01-01T00:00:00+08:00 */
  @IsString()
  @MaxLength(40)
  start!: string;

  /** the instant the period ends (exclusive) */
  @IsString()
  @MaxLength(40)
  end!: string;

  /** what had arrived by this instant counts (default: now); at or after `end`, not in the future */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asOf?: string;
}

export const DIRECTIONS = ['given', 'received'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** GET /evaluation/scores/:partner */
export class PartnerScoreQuery extends ScoresQuery {
  /** given: we score the partner (default); received: the partner's score of us */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;
}

export class PartnerParam {
  @Matches(NODE_CODE, { message: 'partner must be a 6-digit node code' })
  partner!: string;
}

/** POST /evaluation/ratings: coordination staff rate a partner for a period (evaluation.rated). */
export class RatePartnerDto {
  /** the rated node */
  @Matches(NODE_CODE, { message: 'partner must be a 6-digit node code' })
  partner!: string;

  /** ISO 8601 instant with Z or an offset, to the second; sent as UTC */
  @IsString()
  @MaxLength(40)
  periodStart!: string;

  /** ISO 8601 instant with Z or an offset, to the second, after periodStart */
  @IsString()
  @MaxLength(40)
  periodEnd!: string;

  /** each criterion an integer 1 (poor) – 5 (excellent), all four required */
  // ValidateNested alone lets a missing object through
  @IsObject()
  @ValidateNested()
  @Type(() => EvaluationCriteriaV1)
  criteria!: EvaluationCriteriaV1;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  /** the agreement to send under; by default the one agreement in force with `partner` */
  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** GET /evaluation/ratings */
export class RatingsQuery {
  /** given (default) or received */
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  @IsOptional()
  @Matches(NODE_CODE, { message: 'partner must be a 6-digit node code' })
  partner?: string;

  /** at most this many, newest first (default 100) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
