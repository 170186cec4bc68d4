import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { AgreementWeightsV1 } from '@yipanqi/contracts';
import { IndicatorCode, INDICATORS } from '@yipanqi/evaluation';

const NODE_CODE = /^[1-9]\d{5}$/;

export class CreateCampaignDto {
  @ApiProperty({ example: '2026 年第一季度互评' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: 'UTC instant, inclusive', example: '2026-01-01T00:00:00Z' })
  @IsString()
  periodStart!: string;

  @ApiProperty({ description: 'UTC instant, exclusive', example: '2026-04-01T00:00:00Z' })
  @IsString()
  periodEnd!: string;

  @ApiProperty({
    description: 'node codes in the directory, at least two',
    example: ['441300', '511500'],
  })
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(NODE_CODE, { each: true, message: 'participants must be 6-digit division codes' })
  participants!: string[];

  @ApiPropertyOptional({
    description: 'indicator weights (0–100) for every pair; default: each pair’s agreement weights',
    type: AgreementWeightsV1,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AgreementWeightsV1)
  weights?: AgreementWeightsV1;
}

export class ComputeResultDto {
  @ApiPropertyOptional({
    description: 'UTC instant at or after the period’s end, not in the future; default: now',
    example: '2026-04-08T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  asOf?: string;
}

export class EvidenceQuery {
  @ApiProperty({ description: 'evaluator-evaluated, two node codes', example: '441300-511500' })
  @Matches(/^[1-9]\d{5}-[1-9]\d{5}$/, {
    message: 'pair must be evaluator-evaluated, e.g. 441300-511500',
  })
  pair!: string;

  @ApiProperty({ enum: INDICATORS, example: 'R' })
  @IsIn(INDICATORS)
  indicator!: IndicatorCode;
}
