import { ApiProperty } from '@nestjs/swagger';
import { IndicatorWeightsView } from '../agreements/agreement.views';
import { Delivery } from '../notices/delivery';
import { DIRECTIONS, Direction } from './evaluation.dto';

/** A score or an indicator's quotient: 'n/a' without counted items. */
const SCORE = {
  oneOf: [{ type: 'number' }, { type: 'string', enum: ['n/a'] }],
};

/** One indicator in the summary: the figures without the message ids (the drill-down has them). */
export class IndicatorSummary {
  @ApiProperty()
  weight!: number;

  @ApiProperty({ type: 'integer' })
  items!: number;

  @ApiProperty()
  numerator!: number;

  @ApiProperty()
  denominator!: number;

  @ApiProperty(SCORE)
  x!: number | 'n/a';

  @ApiProperty({ type: 'integer', description: 'items of the period not yet decided at as-of' })
  pending!: number;
}

export class IndicatorSummaries {
  @ApiProperty({ type: IndicatorSummary })
  R!: IndicatorSummary;

  @ApiProperty({ type: IndicatorSummary })
  V!: IndicatorSummary;

  @ApiProperty({ type: IndicatorSummary })
  T!: IndicatorSummary;

  @ApiProperty({ type: IndicatorSummary })
  Q!: IndicatorSummary;

  @ApiProperty({ type: IndicatorSummary })
  S!: IndicatorSummary;
}

export class PairSummary {
  @ApiProperty()
  evaluator!: string;

  @ApiProperty()
  evaluated!: string;

  @ApiProperty({ ...SCORE, description: '0–100, two decimals' })
  score!: number | 'n/a';

  @ApiProperty({ type: 'integer' })
  items!: number;

  @ApiProperty({ type: IndicatorSummaries })
  indicators!: IndicatorSummaries;
}

/** Where a pair's weights come from. */
export class WeightsSourceView {
  @ApiProperty({ type: IndicatorWeightsView })
  weights!: IndicatorWeightsView;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null: no agreement text was in force, the defaults apply',
  })
  agreementId!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  version!: number | null;
}

export class ScorePeriodView {
  @ApiProperty({ format: 'date-time', description: 'inclusive' })
  start!: string;

  @ApiProperty({ format: 'date-time', description: 'exclusive' })
  end!: string;
}

export class PartnerScoresView {
  @ApiProperty()
  partner!: string;

  @ApiProperty({ type: WeightsSourceView })
  weights!: WeightsSourceView;

  @ApiProperty({ type: PairSummary, description: 'this node evaluating the partner' })
  given!: PairSummary;

  @ApiProperty({ type: PairSummary, description: 'the partner evaluating this node' })
  received!: PairSummary;

  @ApiProperty({ type: 'integer', description: 'ratings not yet published' })
  unpublished!: number;
}

/** GET /evaluation/scores: every partner, both directions. */
export class ScoresView {
  @ApiProperty()
  node!: string;

  @ApiProperty({ type: ScorePeriodView })
  period!: ScorePeriodView;

  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty({ type: [PartnerScoresView] })
  partners!: PartnerScoresView[];
}

/** One indicator with the message ids behind its figures. */
export class IndicatorScoreView {
  @ApiProperty()
  weight!: number;

  @ApiProperty(SCORE)
  x!: number | 'n/a';

  @ApiProperty({ type: 'integer' })
  items!: number;

  @ApiProperty()
  numerator!: number;

  @ApiProperty()
  denominator!: number;

  @ApiProperty({ type: [String] })
  numeratorIds!: string[];

  @ApiProperty({ type: [String] })
  denominatorIds!: string[];

  @ApiProperty({ type: [String] })
  pendingIds!: string[];
}

export class IndicatorScoresView {
  @ApiProperty({ type: IndicatorScoreView })
  R!: IndicatorScoreView;

  @ApiProperty({ type: IndicatorScoreView })
  V!: IndicatorScoreView;

  @ApiProperty({ type: IndicatorScoreView })
  T!: IndicatorScoreView;

  @ApiProperty({ type: IndicatorScoreView })
  Q!: IndicatorScoreView;

  @ApiProperty({ type: IndicatorScoreView })
  S!: IndicatorScoreView;
}

/** A period in epoch milliseconds, [start, end). */
export class EpochPeriodView {
  @ApiProperty({ type: 'integer' })
  start!: number;

  @ApiProperty({ type: 'integer' })
  end!: number;
}

/** score(A→B) for one period as of one instant. */
export class PairScoreView {
  @ApiProperty()
  evaluator!: string;

  @ApiProperty()
  evaluated!: string;

  @ApiProperty({ type: EpochPeriodView })
  period!: EpochPeriodView;

  @ApiProperty({ type: 'integer', description: 'epoch milliseconds' })
  asOf!: number;

  @ApiProperty({ ...SCORE, description: '0–100, two decimals' })
  score!: number | 'n/a';

  @ApiProperty({ type: 'integer' })
  items!: number;

  @ApiProperty({ type: IndicatorScoresView })
  indicators!: IndicatorScoresView;
}

/** GET /evaluation/scores/:partner: one direction, with the message ids behind every figure. */
export class PartnerScoreView {
  @ApiProperty({ enum: DIRECTIONS })
  direction!: Direction;

  @ApiProperty({ type: ScorePeriodView })
  period!: ScorePeriodView;

  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty({ type: WeightsSourceView })
  weights!: WeightsSourceView;

  @ApiProperty({ type: [String], description: 'ratings not yet published' })
  unpublished!: string[];

  @ApiProperty({ type: PairScoreView })
  score!: PairScoreView;
}

export class CriteriaView {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 })
  responsiveness!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 })
  dataQuality!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 })
  cooperation!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 })
  serviceQuality!: number;
}

/** A rating as the API shows it. Times are epoch milliseconds. */
export class RatingView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: DIRECTIONS })
  direction!: Direction;

  @ApiProperty()
  partner!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty()
  periodStart!: string;

  @ApiProperty()
  periodEnd!: string;

  @ApiProperty({ type: CriteriaView })
  criteria!: CriteriaView;

  @ApiProperty({ type: String, nullable: true })
  comment!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ratedBy!: string | null;

  @ApiProperty({ type: 'integer', description: 'epoch milliseconds' })
  at!: number;

  @ApiProperty({
    type: Delivery,
    nullable: true,
    description: "given ratings: the partner's receipt or rejection",
  })
  delivery!: Delivery | null;
}
