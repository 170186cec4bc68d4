import {
  AgreementCountersignedPayloadV1,
  AgreementLifecyclePayloadV1,
  AgreementOfferPayloadV1,
  AgreementState,
  AgreementStatus,
  AgreementTermsV1,
  isValidDto,
} from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url } from '@yipanqi/crypto';
import { LogRecord, Sla, Weights } from '@yipanqi/evaluation';

/**
 * The agreements between nodes as the log shows them (DESIGN §7): which text
 * was in force when, and whether an agreement was active, suspended or
 * terminated. One rebuild serves the node, the coordinator and the auditor.
 *
 * - A text (version) is offered by `agreement.proposed` / `.amended`, whose
 *   `hash` must be the SHA-256 of the RFC 8785 form of its terms, and put in
 *   force by the `agreement.countersigned` of the party it was offered to,
 *   naming agreement, version and hash, sent back to the offerer — unless
 *   the offerer rejected that countersignature (it then applied nothing).
 *   Crossing offers settle by themselves: only the offer that stood is
 *   countersigned; a second countersignature of a version already in force
 *   (or an older one) changes nothing.
 * - `agreement.suspended` / `.resumed` / `.terminated` from a party, not
 *   rejected by the other, change the status.
 *
 * Two clocks, for two questions:
 * - SLAs and weights (`termsAt`, `slaFor`, `pairTermsAt`) take a text from
 *   the broker time of its countersignature, one instant everyone reads the
 *   same way;
 * - whether a message could travel (`stateFor`, used to judge a node's
 *   NO_AGREEMENT / AGREEMENT_INACTIVE / OUT_OF_SCOPE rejections) asks what
 *   the judging node knew: a change it made itself counted for it from when
 *   it made it (the UUIDv7 time of its envelope, never later than the
 *   record's broker time); a change its partner made, from the broker time
 *   of the record in its inbox.
 */
export class AgreementHistory {
  private readonly versions = new Map<string, Version[]>();
  private readonly offers = new Map<string, Change[]>();
  private readonly lifecycle = new Map<string, Lifecycle[]>();

  /**
   * `voided`: the messages their recipient rejected with a reason that holds
   * or cannot be decided, keyed `recipient>messageId` — they changed nothing.
   * One rejected without reason is no veto: it counts as applied.
   */
  constructor(records: readonly LogRecord[], voided: ReadonlySet<string>) {
    const applied = (r: LogRecord) => !voided.has(`${r.to}>${r.id}`);
    const ordered = [...records].sort(byBrokerTime);

    const offered = new Map<string, { terms: AgreementTermsV1; from: string; to: string }>();
    for (const r of ordered) {
      if (r.type !== 'agreement.proposed' && r.type !== 'agreement.amended') continue;
      if (!applied(r) || !isValidDto(AgreementOfferPayloadV1, r.payload)) continue;
      const offer = r.payload;
      if (sha256Base64url(canonicalJson(offer.terms)) !== offer.hash) continue;
      const { agreementId, version } = offer.terms;
      offered.set(`${agreementId}/${version}/${offer.hash}`, {
        terms: offer.terms,
        from: r.from,
        to: r.to,
      });
      push(this.offers, agreementId, change(r, offer.terms));
    }

    for (const r of ordered) {
      if (r.type !== 'agreement.countersigned' || !applied(r)) continue;
      if (!isValidDto(AgreementCountersignedPayloadV1, r.payload)) continue;
      const { agreementId, version, hash } = r.payload;
      const offer = offered.get(`${agreementId}/${version}/${hash}`);
      // only the party the offer went to can countersign it, back to the offerer
      if (!offer || offer.to !== r.from || offer.from !== r.to) continue;
      const list = this.versions.get(agreementId) ?? [];
      const latest = list.at(-1);
      if (latest && latest.terms.version >= version) continue;
      list.push(change(r, offer.terms));
      this.versions.set(agreementId, list);
    }

    for (const r of ordered) {
      const status = LIFECYCLE[r.type];
      if (!status || !applied(r) || !isValidDto(AgreementLifecyclePayloadV1, r.payload)) continue;
      if (r.agreementId !== null && r.agreementId !== r.payload.agreementId) continue;
      push(this.lifecycle, r.payload.agreementId, { ...change(r, undefined), status });
    }
  }

  /** The text of `agreementId` in force at broker time `at` (by countersignature broker time). */
  termsAt(agreementId: string | null, at: number): AgreementTermsV1 | undefined {
    const list = (agreementId && this.versions.get(agreementId)) || [];
    return list.filter((v) => v.brokerTime <= at).at(-1)?.terms;
  }

  /**
   * libs/evaluation's SlaLookup: the SLA of the agreement an opening message
   * names, in force at its broker time, when that agreement is between the
   * message's two nodes; undefined (the default SLA) before the first
   * countersignature, without an agreement, and for another pair's agreement
   * (which the two nodes' own logs do not hold).
   */
  readonly slaFor = (
    agreementId: string | null,
    sentAt: number,
    parties: readonly [string, string],
  ): Sla | undefined => {
    const terms = this.termsAt(agreementId, sentAt);
    const between = terms && [terms.inflow, terms.outflow];
    return between && parties.every((p) => between.includes(p)) ? terms.sla : undefined;
  };

  /**
   * The text a pair is scored with at `at` (the period's end): of the
   * agreements between `a` and `b`, the one whose text in force was
   * countersigned last; equal broker times: the lower agreement id. A later
   * suspension or termination does not undo it: it is how the pair agreed to
   * be scored for the time it worked under it. Both directions read the same.
   */
  pairTermsAt(a: string, b: string, at: number): AgreementTermsV1 | undefined {
    let best: Version | undefined;
    for (const agreementId of [...this.versions.keys()].sort()) {
      const current = this.versions
        .get(agreementId)
        ?.filter((v) => v.brokerTime <= at)
        .at(-1);
      if (!current) continue;
      const { inflow, outflow } = current.terms;
      if (!((inflow === a && outflow === b) || (inflow === b && outflow === a))) continue;
      if (!best || current.brokerTime > best.brokerTime) best = current;
    }
    return best?.terms;
  }

  /** The pair's weights at `at` (see pairTermsAt); undefined: the defaults apply. */
  weightsFor(a: string, b: string, at: number): Weights | undefined {
    const terms = this.pairTermsAt(a, b, at);
    return terms && pick(terms.weights);
  }

  /**
   * The agreement as node `judge` held it at `at`: what its gate checked a
   * message against (libs/contracts flowRefusal). Undefined when the log
   * shows no offer of it that `judge` knew of by then.
   */
  stateFor(agreementId: string | null, judge: string, at: number): AgreementState | undefined {
    if (!agreementId) return undefined;
    const known = (c: Omit<Change, 'terms'>) => knownAt(c, judge) <= at;
    const version = (this.versions.get(agreementId) ?? [])
      .filter(known)
      .reduce<Version | undefined>(
        (v, x) => (!v || x.terms.version > v.terms.version ? x : v),
        undefined,
      );
    if (!version) {
      const offer = (this.offers.get(agreementId) ?? []).find(known);
      return offer && { status: 'proposed', terms: offer.terms };
    }
    let status: AgreementStatus = 'active';
    const changes = (this.lifecycle.get(agreementId) ?? [])
      .filter(known)
      .sort((x, y) => knownAt(x, judge) - knownAt(y, judge) || compareIds(x.id, y.id));
    for (const c of changes) status = nextStatus(status, c.status);
    return { status, terms: version.terms };
  }
}

interface Change {
  id: string;
  /** the node that sent it */
  by: string;
  brokerTime: number;
  /** when its sender made it: the UUIDv7 time of the envelope, at most its broker time */
  madeAt: number;
  terms: AgreementTermsV1;
}

type Version = Change;

interface Lifecycle extends Omit<Change, 'terms'> {
  status: 'suspended' | 'active' | 'terminated';
}

const LIFECYCLE: Record<string, Lifecycle['status'] | undefined> = {
  'agreement.suspended': 'suspended',
  'agreement.resumed': 'active',
  'agreement.terminated': 'terminated',
};

function nextStatus(current: AgreementStatus, change: Lifecycle['status']): AgreementStatus {
  if (current === 'terminated') return current;
  if (change === 'suspended') return current === 'active' ? 'suspended' : current;
  if (change === 'active') return current === 'suspended' ? 'active' : current;
  return 'terminated';
}

function change(r: LogRecord, terms: AgreementTermsV1): Change;
function change(r: LogRecord, terms: undefined): Omit<Change, 'terms'>;
function change(r: LogRecord, terms: AgreementTermsV1 | undefined) {
  const made = uuidV7Time(r.id);
  const base = {
    id: r.id,
    by: r.from,
    brokerTime: r.brokerTime,
    madeAt: made === undefined ? r.brokerTime : Math.min(made, r.brokerTime),
  };
  return terms ? { ...base, terms } : base;
}

function knownAt(c: Omit<Change, 'terms'>, judge: string): number {
  return c.by === judge ? c.madeAt : c.brokerTime;
}

/** The creation time (epoch ms) a UUIDv7 carries in its first 48 bits. */
export function uuidV7Time(id: string): number | undefined {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return undefined;
  return parseInt(hex.slice(0, 12), 16);
}

function pick(w: Weights): Weights {
  return { R: w.R, V: w.V, T: w.T, Q: w.Q, S: w.S };
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function byBrokerTime(x: LogRecord, y: LogRecord): number {
  return x.brokerTime - y.brokerTime || compareIds(x.id, y.id);
}
