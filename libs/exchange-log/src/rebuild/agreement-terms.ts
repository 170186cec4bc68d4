import {
  AgreementCountersignedPayloadV1,
  AgreementOfferPayloadV1,
  AgreementTermsV1,
  isValidDto,
} from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url } from '@yipanqi/crypto';
import { Sla, Weights } from '@yipanqi/evaluation';
import { VerifiedMessage } from '../verify/log-verifier';

/** A version of an agreement text, in force from its countersignature's broker time. */
interface InForce {
  terms: AgreementTermsV1;
  from: number;
}

/**
 * The agreement texts in force, rebuilt from the verified log: what scoring
 * needs of agreement state (SLA hours and indicator weights, DESIGN §7).
 *
 * A version counts once the partner's `agreement.countersigned` names its
 * agreement, version and text hash — from the broker time of that
 * countersignature — until a higher version is countersigned. The text comes
 * from the offer (`agreement.proposed` / `.amended`) with that hash, sent the
 * other way. The countersignature settles crossing offers by itself: only
 * the offer that stood gets one. Suspension and termination change whether
 * flows may travel, not the SLAs of what did travel, so they do not matter
 * here; the full lifecycle (declines, expiry) is the node's agreement-rules
 * and is not rebuilt yet.
 */
export class AgreementTerms {
  /** per agreement, countersigned versions in ascending order */
  private readonly versions = new Map<string, InForce[]>();

  constructor(messages: readonly VerifiedMessage[]) {
    const offers = new Map<string, { terms: AgreementTermsV1; from: string; to: string }>();
    for (const m of messages) {
      if (m.type !== 'agreement.proposed' && m.type !== 'agreement.amended') continue;
      const offer = m.payload;
      if (!isValidDto(AgreementOfferPayloadV1, offer)) continue;
      if (sha256Base64url(canonicalJson(offer.terms)) !== offer.hash) continue;
      const { agreementId, version } = offer.terms;
      offers.set(`${agreementId}/${version}/${offer.hash}`, {
        terms: offer.terms,
        from: m.from,
        to: m.to,
      });
    }
    const countersigned = messages
      .filter((m) => m.type === 'agreement.countersigned')
      .flatMap((m) => {
        const { payload } = m;
        return isValidDto(AgreementCountersignedPayloadV1, payload) ? [{ m, payload }] : [];
      })
      .sort((a, b) => a.m.brokerTime - b.m.brokerTime);
    for (const { m, payload } of countersigned) {
      const { agreementId, version, hash } = payload;
      const offer = offers.get(`${agreementId}/${version}/${hash}`);
      // only the party the offer went to can countersign it
      if (!offer || offer.to !== m.from || offer.from !== m.to) continue;
      const list = this.versions.get(agreementId) ?? [];
      const latest = list[list.length - 1];
      if (latest && latest.terms.version >= version) continue;
      list.push({ terms: offer.terms, from: m.brokerTime });
      this.versions.set(agreementId, list);
    }
  }

  /** the text of `agreementId` in force at broker time `at`, if any */
  inForce(agreementId: string, at: number): AgreementTermsV1 | undefined {
    const list = this.versions.get(agreementId) ?? [];
    let found: AgreementTermsV1 | undefined;
    for (const v of list) if (v.from <= at) found = v.terms;
    return found;
  }

  /** libs/evaluation's SlaLookup: undefined (the default SLA) without an agreement in force */
  readonly slaFor = (agreementId: string | null, sentAt: number): Sla | undefined =>
    agreementId === null ? undefined : this.inForce(agreementId, sentAt)?.sla;

  /**
   * The weights the pair agreed on, as in force at `at` (the period's end).
   * Two nodes normally hold one agreement; with several in force the one
   * countersigned last counts. Undefined: none, so the defaults apply.
   */
  weightsFor(a: string, b: string, at: number): Weights | undefined {
    let chosen: InForce | undefined;
    for (const list of this.versions.values()) {
      const current = [...list].reverse().find((v) => v.from <= at);
      if (!current) continue;
      const parties = [current.terms.inflow, current.terms.outflow];
      if (!parties.includes(a) || !parties.includes(b)) continue;
      if (!chosen || current.from > chosen.from) chosen = current;
    }
    return chosen?.terms.weights;
  }
}
