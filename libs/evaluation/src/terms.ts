import { AgreementSlaV1, AgreementWeightsV1 } from '@yipanqi/contracts';

/** Calendar hours to answer: the agreement text's `sla`. */
export type Sla = Pick<AgreementSlaV1, 'receiptHours' | 'responseHours' | 'taskHours'>;

/** The indicators of DESIGN §7, in report order. */
export const INDICATORS = ['R', 'V', 'T', 'Q', 'S'] as const;

export type IndicatorCode = (typeof INDICATORS)[number];

/** Indicator weights: the agreement text's `weights`, or a campaign's. */
export type Weights = Pick<AgreementWeightsV1, IndicatorCode>;

export const DEFAULT_SLA: Readonly<Sla> = { receiptHours: 24, responseHours: 120, taskHours: 360 };

export const DEFAULT_WEIGHTS: Readonly<Weights> = { R: 20, V: 25, T: 25, Q: 15, S: 15 };

/**
 * The SLA of agreement `agreementId` as in force at `sentAt` — the broker
 * time of the message that opens an item, so an amendment changes the
 * deadlines of items opened after it and not of those already running.
 * Undefined (no agreement, unknown agreement) means DEFAULT_SLA.
 */
export type SlaLookup = (
  agreementId: string | null,
  sentAt: number,
  /** the opening message's sender and recipient */
  parties: readonly [string, string],
) => Sla | undefined;

/** A campaign's weights override the agreement's, which override the defaults. */
export function effectiveWeights(sources: { agreement?: Weights; campaign?: Weights }): Weights {
  return sources.campaign ?? sources.agreement ?? DEFAULT_WEIGHTS;
}
