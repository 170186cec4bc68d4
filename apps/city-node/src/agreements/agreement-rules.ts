import { KeyObject } from 'node:crypto';
import { AgreementStatus, AgreementTermsV1, SCOPE_DOMAINS } from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url, signEd25519, verifyEd25519 } from '@yipanqi/crypto';

/**
 * The rules of cooperation agreements (区域协作协议), free of Nest and
 * TypeORM: hashing and signing the text, the lifecycle, whether a message may
 * travel under an agreement, and how crossing offers are settled.
 * docs/agreements.md explains them for staff. The flow rule itself
 * (`flowRefusal`) lives in libs/contracts: the auditor judges rejections
 * with it.
 */

export type {
  AgreementState,
  AgreementStatus,
  EffectiveStatus,
  FlowRefusal as Refusal,
} from '@yipanqi/contracts';
export { effectiveStatus, flowRefusal } from '@yipanqi/contracts';

export type Action =
  'propose' | 'countersign' | 'decline' | 'amend' | 'suspend' | 'resume' | 'terminate';

const ALLOWED: Record<Action, readonly AgreementStatus[]> = {
  propose: ['draft'],
  countersign: ['received'],
  decline: ['received'],
  amend: ['active', 'suspended'],
  suspend: ['active'],
  resume: ['suspended'],
  terminate: ['active', 'suspended'],
};

/** Why `action` is not possible in `status`, or undefined when it is. */
export function transitionProblem(status: AgreementStatus, action: Action): string | undefined {
  return ALLOWED[action].includes(status)
    ? undefined
    : `cannot ${action} an agreement that is ${status} (allowed when ${ALLOWED[action].join(' or ')})`;
}

// the defaults scoring applies are the ones an agreement starts from: one declaration
export { DEFAULT_SLA, DEFAULT_WEIGHTS } from '@yipanqi/evaluation';

/** The hash both parties sign: SHA-256 of the RFC 8785 form of the whole text. */
export function agreementHash(terms: AgreementTermsV1): string {
  return sha256Base64url(canonicalJson(terms));
}

/** What a party's signature covers: the agreement, its version and the text's hash, and nothing else. */
function signedStatement(agreementId: string, version: number, hash: string): string {
  return `yipanqi agreement ${agreementId} version ${version} sha256 ${hash}`;
}

export function signAgreement(
  agreementId: string,
  version: number,
  hash: string,
  privateKey: KeyObject,
): string {
  return signEd25519(signedStatement(agreementId, version, hash), privateKey);
}

export function verifyAgreementSignature(
  agreementId: string,
  version: number,
  hash: string,
  signature: string,
  publicKey: KeyObject,
): boolean {
  return verifyEd25519(signedStatement(agreementId, version, hash), signature, publicKey);
}

/** The partner in an agreement between `me` and someone else. */
export function partnerOf(terms: AgreementTermsV1, me: string): string {
  return terms.inflow === me ? terms.outflow : terms.inflow;
}

/** Problems with a text that `me` is asked to take part in (empty when it is sound). */
export function termsProblems(terms: AgreementTermsV1, me: string): string[] {
  const problems: string[] = [];
  if (terms.inflow === terms.outflow) problems.push('inflow and outflow must be different nodes');
  if (terms.inflow !== me && terms.outflow !== me) problems.push(`${me} is not a party`);
  const start = Date.parse(terms.termStart);
  const end = Date.parse(terms.termEnd);
  if (!(start < end)) problems.push('termEnd must be after termStart');
  const w = terms.weights;
  if (w.R + w.V + w.T + w.Q + w.S <= 0) problems.push('at least one weight must be above 0');
  for (const c of terms.contacts) {
    if (c.node !== terms.inflow && c.node !== terms.outflow) {
      problems.push(`contact of ${c.node}, which is not a party`);
    }
  }
  if (terms.scope.some((d) => !(SCOPE_DOMAINS as readonly string[]).includes(d))) {
    problems.push('scope holds an unknown domain');
  }
  return problems;
}

/**
 * Two offers crossed: both sides proposed to each other, or both offered an
 * amendment of the same version, before either saw the other's. Both nodes
 * compare the two offering envelopes' ids (UUIDv7, so the earlier offer sorts
 * first) and reach the same verdict without talking: the earlier offer stands,
 * the later one is superseded.
 */
export function crossingWinner(ownOfferId: string, theirOfferId: string): 'ours' | 'theirs' {
  return ownOfferId < theirOfferId ? 'ours' : 'theirs';
}

/** A plain date means 00:00 China Standard Time; an instant is kept (normalised to UTC seconds). */
export function termInstant(value: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value;
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new RangeError(`not a date or instant: ${value}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
