import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { INDICATORS } from '@yipanqi/evaluation';
import type { IndicatorCode } from '@yipanqi/evaluation';
import type { PublishedIndicators } from '@yipanqi/exchange-log';

const EPOCH_MS = { type: 'integer', description: 'epoch milliseconds' } as const;
/** A score: 0–100 with two decimals, or 'n/a' without counted items. */
const SCORE = { oneOf: [{ type: 'number' }, { type: 'string', enum: ['n/a'] }] };

/** Weights of the evaluation indicators R V T Q S. */
export class CampaignWeightsView {
  @ApiProperty()
  R!: number;

  @ApiProperty()
  V!: number;

  @ApiProperty()
  T!: number;

  @ApiProperty()
  Q!: number;

  @ApiProperty()
  S!: number;
}

/** `[start, end)` in epoch milliseconds. */
export class ResultPeriodView {
  @ApiProperty(EPOCH_MS)
  start!: number;

  @ApiProperty(EPOCH_MS)
  end!: number;
}

/** A pair score as a result publishes it: the figures, and a digest in place of each indicator's ids. */
export class PublishedPairScoreView {
  @ApiProperty()
  evaluator!: string;

  @ApiProperty()
  evaluated!: string;

  @ApiProperty(SCORE)
  score!: number | 'n/a';

  @ApiProperty({
    type: 'array',
    description:
      'in the order R V T Q S, each `[weight, items, numerator, denominator, pending, digest]`',
    minItems: INDICATORS.length,
    maxItems: INDICATORS.length,
    items: {
      type: 'array',
      minItems: 6,
      maxItems: 6,
      items: { oneOf: [{ type: 'number' }, { type: 'string' }] },
    },
  })
  indicators!: PublishedIndicators;
}

/** One participant's place in a campaign. */
export class StandingView {
  @ApiProperty()
  node!: string;

  @ApiProperty({ type: 'integer', description: '1 is best' })
  rank!: number;

  @ApiProperty(SCORE)
  score!: number | 'n/a';

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the mean of the exact scores its partners gave it, `n/d` in lowest terms',
  })
  exactScore!: string | null;

  @ApiProperty({ type: 'integer', description: 'counted items behind those scores' })
  items!: number;

  @ApiProperty({ type: [String], description: 'the partners whose scores make the mean' })
  scoredBy!: string[];
}

/** Rejections a participant sent, by verdict. */
export class VerdictCountsView {
  @ApiProperty({ type: 'integer' })
  justified!: number;

  @ApiProperty({ type: 'integer' })
  unjustified!: number;

  @ApiProperty({ type: 'integer' })
  undecidable!: number;
}

/** One computation of a campaign, signed, as the coordinator publishes it. */
export class CampaignResultView {
  @ApiProperty({ enum: ['yipanqi.campaign-result'] })
  format!: 'yipanqi.campaign-result';

  @ApiProperty({ enum: [2] })
  version!: 2;

  @ApiProperty({ format: 'uuid' })
  resultId!: string;

  @ApiProperty({ format: 'uuid' })
  campaignId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: ResultPeriodView })
  period!: ResultPeriodView;

  @ApiProperty({ ...EPOCH_MS, description: 'nothing the broker appended later was counted' })
  asOf!: number;

  @ApiProperty({ type: [String], description: 'node codes in ascending order' })
  participants!: string[];

  @ApiProperty({
    type: CampaignWeightsView,
    nullable: true,
    description: "null: each pair's agreement weights, else the defaults",
  })
  weights!: CampaignWeightsView | null;

  @ApiProperty({ type: [PublishedPairScoreView] })
  pairs!: PublishedPairScoreView[];

  @ApiProperty({ type: [StandingView] })
  ranking!: StandingView[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(VerdictCountsView) },
    description: "per participant, the rejections it sent of fellow participants' messages",
  })
  rejections!: Record<string, VerdictCountsView>;

  @ApiProperty({ ...EPOCH_MS, description: 'coordinator clock' })
  computedAt!: number;

  @ApiProperty({
    description: 'base64url Ed25519 by the coordinator over the RFC 8785 form of every other field',
  })
  sig!: string;
}

/** A campaign as the API shows it: its definition and its latest result. */
export class CampaignView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  periodStart!: string;

  @ApiProperty({ format: 'date-time' })
  periodEnd!: string;

  @ApiProperty({ type: [String] })
  participants!: string[];

  @ApiProperty({ type: CampaignWeightsView, nullable: true })
  weights!: CampaignWeightsView | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty({ type: 'integer', description: 'how many times it was computed' })
  results!: number;

  @ApiProperty({ type: CampaignResultView, nullable: true })
  latestResult!: CampaignResultView | null;
}

/** The ids behind one indicator of one pair of a result, and their digest as the result publishes it. */
export class EvidenceView {
  @ApiProperty({ format: 'uuid' })
  campaignId!: string;

  @ApiProperty({ format: 'uuid' })
  resultId!: string;

  @ApiProperty()
  evaluator!: string;

  @ApiProperty()
  evaluated!: string;

  @ApiProperty({ enum: INDICATORS })
  indicator!: IndicatorCode;

  @ApiProperty({
    description: 'evidenceDigest of the three lists: the last element of the published indicator',
  })
  digest!: string;

  @ApiProperty({ type: [String] })
  numeratorIds!: readonly string[];

  @ApiProperty({ type: [String] })
  denominatorIds!: readonly string[];

  @ApiProperty({ type: [String] })
  pendingIds!: readonly string[];
}
