import { AgreementTermsV1 } from '@yipanqi/contracts';
import { effectiveWeights, LogRecord, SlaLookup, Weights } from '@yipanqi/evaluation';

/**
 * Which agreement text governs the scoring of a pair at an instant. A text
 * (version) is in force from the broker time of its countersignature
 * (`agreement.countersigned` naming its agreement, version and hash) — the
 * one instant both parties and the auditor read the same way; each node's
 * own clock when it put the version in force is not (the countersigner's is
 * its local time, the proposer's the record's). A version stays in force
 * until a later version's countersignature.
 */

/** One agreement_version row: a text this node holds, offered, in force or replaced. */
export interface AgreementText {
  hash: string;
  terms: AgreementTermsV1;
}

interface InForce {
  from: number;
  terms: AgreementTermsV1;
}

/** The text a pair's score takes its weights from, for the report. */
export interface WeightsSource {
  weights: Weights;
  /** null: no agreement text was in force, DEFAULT_WEIGHTS apply */
  agreementId: string | null;
  version: number | null;
}

function byFrom(x: InForce, y: InForce): number {
  return x.from - y.from || x.terms.version - y.terms.version;
}

/**
 * Agreement texts ordered by the broker time of their countersignature.
 * Texts never countersigned in the log (an offer still open, declined or
 * superseded, or a countersignature not yet published) were never in force.
 * A countersignature its recipient rejected put nothing in force.
 */
export class AgreementTimeline {
  private readonly byAgreement = new Map<string, InForce[]>();

  constructor(texts: readonly AgreementText[], records: readonly LogRecord[]) {
    const rejected = new Set(
      records.flatMap((r) =>
        r.type === 'rejection' && typeof r.payload.messageId === 'string'
          ? [r.payload.messageId]
          : [],
      ),
    );
    const countersigned = new Map<string, number>();
    for (const r of records) {
      if (r.type !== 'agreement.countersigned' || rejected.has(r.id)) continue;
      const { agreementId, version, hash } = r.payload;
      const key = `${String(agreementId)}|${String(version)}|${String(hash)}`;
      const seen = countersigned.get(key);
      if (seen === undefined || r.brokerTime < seen) countersigned.set(key, r.brokerTime);
    }
    for (const text of texts) {
      const { agreementId, version } = text.terms;
      const from = countersigned.get(`${agreementId}|${version}|${text.hash}`);
      if (from === undefined) continue;
      const versions = this.byAgreement.get(agreementId) ?? [];
      versions.push({ from, terms: text.terms });
      this.byAgreement.set(agreementId, versions.sort(byFrom));
    }
  }

  /** The text of `agreementId` in force at `at`, if any. */
  termsAt(agreementId: string | null, at: number): AgreementTermsV1 | undefined {
    const versions = (agreementId && this.byAgreement.get(agreementId)) || [];
    return versions.filter((v) => v.from <= at).at(-1)?.terms;
  }

  /**
   * The SLA of the agreement an opening message names, as in force at its
   * broker time. Messages sent before the agreement's first countersignature
   * (its proposal) and messages naming no agreement get DEFAULT_SLA.
   */
  readonly slaFor: SlaLookup = (agreementId, sentAt) => this.termsAt(agreementId, sentAt)?.sla;

  /**
   * The weights of the pair `a`–`b` at `at`: those of the agreement between
   * them whose text in force at `at` was countersigned last (ties: the lower
   * agreement id). A later suspension or termination does not undo them:
   * they are how the pair agreed to be scored for the time it worked under
   * that text. Undefined when no agreement between them was in force.
   */
  pairTermsAt(a: string, b: string, at: number): AgreementTermsV1 | undefined {
    let best: InForce | undefined;
    for (const [agreementId, versions] of this.byAgreement) {
      const current = versions.filter((v) => v.from <= at).at(-1);
      if (!current) continue;
      const { inflow, outflow } = current.terms;
      if (!((inflow === a && outflow === b) || (inflow === b && outflow === a))) continue;
      if (
        !best ||
        current.from > best.from ||
        (current.from === best.from && agreementId < best.terms.agreementId)
      ) {
        best = current;
      }
    }
    return best?.terms;
  }
}

/**
 * The weights of the pair's score for a period: the agreement's text in force
 * at the period's end (see pairTermsAt), through effectiveWeights, else the
 * defaults. Both directions of the pair use the same: the text is bilateral.
 */
export function pairWeights(
  timeline: AgreementTimeline,
  a: string,
  b: string,
  periodEnd: number,
): WeightsSource {
  const terms = timeline.pairTermsAt(a, b, periodEnd);
  const agreement = terms && {
    R: terms.weights.R,
    V: terms.weights.V,
    T: terms.weights.T,
    Q: terms.weights.Q,
    S: terms.weights.S,
  };
  return {
    weights: effectiveWeights({ agreement }),
    agreementId: terms?.agreementId ?? null,
    version: terms?.version ?? null,
  };
}
