import { Column, Entity, PrimaryColumn } from 'typeorm';
import { IndicatorCode, Weights } from '@yipanqi/evaluation';
import { IndicatorEvidence } from '@yipanqi/exchange-log';
import { bigintAsNumber } from '@yipanqi/persistence';

/** A campaign (考核批次): who is ranked, over which period, with which weights. */
@Entity('campaign')
export class Campaign {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** epoch ms, inclusive */
  @Column({ name: 'period_start', type: 'bigint', transformer: bigintAsNumber })
  periodStart!: number;

  /** epoch ms, exclusive */
  @Column({ name: 'period_end', type: 'bigint', transformer: bigintAsNumber })
  periodEnd!: number;

  /** node codes in ascending order */
  @Column({ type: 'simple-json' })
  participants!: string[];

  /** the campaign's weights for every pair; null: each pair's agreement weights, else the defaults */
  @Column({ type: 'simple-json', nullable: true })
  weights!: Weights | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  /** label of the token that created it */
  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;
}

/** One computation of a campaign: the signed record, byte for byte what goes on the topic. */
@Entity('campaign_result')
export class CampaignResultRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'campaign_id', type: 'varchar', length: 36 })
  campaignId!: string;

  @Column({ name: 'as_of', type: 'bigint', transformer: bigintAsNumber })
  asOf!: number;

  @Column({ name: 'computed_at', type: 'bigint', transformer: bigintAsNumber })
  computedAt!: number;

  /** the signed result's JSON */
  @Column({ type: 'text' })
  record!: string;

  /** null until the broker acknowledged it */
  @Column({ name: 'published_at', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  publishedAt!: number | null;
}

/**
 * The message ids behind one published pair score, which the result itself
 * replaces by their digests: one row per pair with any, so that serving the
 * lists of one pair reads one row, not a national campaign's millions of ids.
 */
@Entity('campaign_evidence')
export class CampaignEvidence {
  @PrimaryColumn({ name: 'result_id', type: 'varchar', length: 36 })
  resultId!: string;

  @PrimaryColumn({ type: 'varchar', length: 6 })
  evaluator!: string;

  @PrimaryColumn({ type: 'varchar', length: 6 })
  evaluated!: string;

  /** per indicator, its numerator, denominator and pending ids as scorePair listed them */
  @Column({ type: 'simple-json' })
  ids!: Record<IndicatorCode, IndicatorEvidence>;
}

export const CAMPAIGN_ENTITIES = [Campaign, CampaignResultRow, CampaignEvidence];
