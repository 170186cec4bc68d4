import { messageDomain, RejectionReason } from './message-types';
import { AgreementTermsV1 } from './payloads/agreement';

/**
 * Whether a flow message may travel under an agreement: the rule a sender
 * applies before sending, the recipient on receipt (at the record's broker
 * time), and the auditor when it judges a rejection (DESIGN §7) — one rule
 * for all three, so a node's rejection can be checked against it.
 */

/** Where an agreement stands on this node. */
export type AgreementStatus =
  | 'draft' // written here, not sent
  | 'proposed' // sent to the partner, awaiting countersignature
  | 'received' // the partner's proposal, awaiting our decision
  | 'active' // countersigned by both
  | 'suspended'
  | 'declined'
  | 'terminated'
  | 'superseded'; // lost to a crossing proposal (see crossingWinner)

/** Status as staff see it at an instant: an active agreement outside its term is not in force. */
export type EffectiveStatus = AgreementStatus | 'expired' | 'not-yet-in-force';

export interface AgreementState {
  status: AgreementStatus;
  terms: AgreementTermsV1;
}

export function effectiveStatus(agreement: AgreementState, at: number): EffectiveStatus {
  if (agreement.status !== 'active') return agreement.status;
  if (at < Date.parse(agreement.terms.termStart)) return 'not-yet-in-force';
  if (at >= Date.parse(agreement.terms.termEnd)) return 'expired';
  return 'active';
}

export interface FlowRefusal {
  reason: Extract<RejectionReason, 'NO_AGREEMENT' | 'AGREEMENT_INACTIVE' | 'OUT_OF_SCOPE'>;
  detail: string;
}

/**
 * Whether a flow message from `from` to `to` may travel under `agreement` at
 * instant `at` (send time at the sender, broker time at the recipient). The
 * same rule refuses it at send and rejects it at receive.
 */
export function flowRefusal(
  agreement: AgreementState | undefined,
  message: {
    from: string;
    to: string;
    type: string;
    agreementId: string | null;
    payload: Record<string, unknown>;
  },
  at: number,
): FlowRefusal | undefined {
  if (!message.agreementId || !agreement) {
    return {
      reason: 'NO_AGREEMENT',
      detail: message.agreementId
        ? `no agreement ${message.agreementId}`
        : `${message.type} must name an agreement`,
    };
  }
  const parties = [agreement.terms.inflow, agreement.terms.outflow];
  if (!parties.includes(message.from) || !parties.includes(message.to)) {
    return {
      reason: 'NO_AGREEMENT',
      detail: `agreement ${message.agreementId} is not between ${message.from} and ${message.to}`,
    };
  }
  const status = effectiveStatus(agreement, at);
  if (status !== 'active') {
    return {
      reason: 'AGREEMENT_INACTIVE',
      detail: `agreement ${message.agreementId} is ${status}`,
    };
  }
  const domain = messageDomain(message.type, message.payload);
  if (domain && !agreement.terms.scope.includes(domain)) {
    return {
      reason: 'OUT_OF_SCOPE',
      detail: `${domain} is not in the scope of agreement ${message.agreementId} (${agreement.terms.scope.join(', ')})`,
    };
  }
  return undefined;
}

/** Certificates are issued and verifications answered by the outflow node; verifications are asked by the inflow node. */
const SENDER_ROLE: Record<string, 'inflow' | 'outflow'> = {
  'certificate.issued': 'outflow',
  'certificate.verify.requested': 'inflow',
  'certificate.verify.answered': 'outflow',
};

/**
 * Why `from` may not send `type` under these terms, or undefined when its role allows it. */
export function senderRoleProblem(
  terms: AgreementTermsV1,
  from: string,
  type: string,
): string | undefined {
  const role = SENDER_ROLE[type];
  if (!role || terms[role] === from) return undefined;
  return `${type} is sent by the ${role} node of agreement ${terms.agreementId} (${terms[role]}), not by ${from}`;
}
