import { EntityManager } from 'typeorm';
import { KeyObject } from 'node:crypto';
import { Envelope, EnvelopeOf, needsAgreement } from '@yipanqi/contracts';
import { InboxGate, ReceivedMessage, Refusal } from '@yipanqi/exchange';
import {
  Action,
  agreementHash,
  AgreementState,
  flowRefusal,
  partnerOf,
  termsProblems,
  transitionProblem,
  verifyAgreementSignature,
} from './agreement-rules';
import {
  agreementState,
  currentVersion,
  findAgreement,
  pendingOffer,
  termsOf,
} from './agreement-store';
import { AgreementVersion } from './agreement.entities';

const LIFECYCLE: Record<string, Action> = {
  'agreement.suspended': 'suspend',
  'agreement.resumed': 'resume',
  'agreement.terminated': 'terminate',
};

/**
 * What a received message must satisfy before it is applied: a flow message
 * needs an agreement in force that covers it (at the record's broker time);
 * agreement traffic must be consistent with what this node knows and carry
 * valid signatures over the agreement hash.
 */
export class AgreementGate implements InboxGate {
  /**
   * Agreement states read in the current inbox transaction: a chunk of flow
   * messages mostly names one agreement. Any agreement message may change a
   * state, so it empties the cache before it is applied.
   */
  private readonly states = new WeakMap<EntityManager, Map<string, AgreementState | undefined>>();

  constructor(private readonly me: string) {}

  async refusal(manager: EntityManager, message: ReceivedMessage): Promise<Refusal | undefined> {
    const { envelope } = message;
    if (needsAgreement(envelope.type)) {
      return flowRefusal(
        await this.stateOf(manager, envelope.agreementId),
        envelope,
        message.brokerTime,
      );
    }
    this.states.delete(manager);
    switch (envelope.type) {
      case 'agreement.proposed':
      case 'agreement.amended':
        return this.offerRefusal(manager, envelope, message.senderKey);
      case 'agreement.countersigned':
      case 'agreement.declined':
        return this.answerRefusal(manager, envelope, message.senderKey);
      default:
        return this.lifecycleRefusal(manager, envelope, LIFECYCLE[envelope.type]);
    }
  }

  private async stateOf(
    manager: EntityManager,
    agreementId: string | null,
  ): Promise<AgreementState | undefined> {
    if (!agreementId) return undefined;
    let known = this.states.get(manager);
    if (!known) {
      known = new Map();
      this.states.set(manager, known);
    }
    if (!known.has(agreementId)) known.set(agreementId, await agreementState(manager, agreementId));
    return known.get(agreementId);
  }

  private async offerRefusal(
    manager: EntityManager,
    envelope: EnvelopeOf<'agreement.proposed' | 'agreement.amended'>,
    senderKey: KeyObject,
  ): Promise<Refusal | undefined> {
    const offer = envelope.payload;
    const { terms } = offer;
    const invalid = (detail: string): Refusal => ({ reason: 'SCHEMA_INVALID', detail });
    if (terms.agreementId !== envelope.agreementId) {
      return invalid('the envelope and the text name different agreements');
    }
    const problems = termsProblems(terms, this.me);
    if (problems.length > 0) return invalid(problems.join('; '));
    if (partnerOf(terms, this.me) !== envelope.from) {
      return invalid(`${envelope.from} offers an agreement it is not a party to`);
    }
    if (agreementHash(terms) !== offer.hash) return invalid('hash does not match the text');
    if (
      !verifyAgreementSignature(
        terms.agreementId,
        terms.version,
        offer.hash,
        offer.signature,
        senderKey,
      )
    ) {
      return {
        reason: 'BAD_SIGNATURE',
        detail: 'the signature over the agreement hash does not verify',
      };
    }
    const known = await findAgreement(manager, terms.agreementId);
    if (envelope.type === 'agreement.proposed') {
      if (terms.version !== 1) return invalid('a proposal is version 1');
      return known ? invalid(`agreement ${terms.agreementId} already exists`) : undefined;
    }
    if (!known || known.partner !== envelope.from) {
      return {
        reason: 'NO_AGREEMENT',
        detail: `no agreement ${terms.agreementId} with ${envelope.from}`,
      };
    }
    const stateProblem = transitionProblem(known.status, 'amend');
    if (stateProblem) return { reason: 'AGREEMENT_INACTIVE', detail: stateProblem };
    const current = termsOf(await currentVersion(manager, known));
    if (terms.version !== current.version + 1) {
      return invalid(
        `an amendment of version ${current.version} must be version ${current.version + 1}`,
      );
    }
    if (terms.inflow !== current.inflow || terms.outflow !== current.outflow) {
      return invalid('an amendment cannot change the parties or their roles');
    }
    if (await pendingOffer(manager, known.id, envelope.from)) {
      return invalid('an amendment by the same party is already awaiting an answer');
    }
    return undefined;
  }

  private async answerRefusal(
    manager: EntityManager,
    envelope: EnvelopeOf<'agreement.countersigned' | 'agreement.declined'>,
    senderKey: KeyObject,
  ): Promise<Refusal | undefined> {
    const answer = envelope.payload;
    const offer = await manager.findOne(AgreementVersion, {
      where: {
        agreementId: answer.agreementId,
        version: answer.version,
        hash: answer.hash,
        proposer: this.me,
      },
    });
    const agreement = await findAgreement(manager, answer.agreementId);
    if (!offer || !agreement || agreement.partner !== envelope.from) {
      return {
        reason: 'NO_AGREEMENT',
        detail: `no offer of agreement ${answer.agreementId} v${answer.version} to ${envelope.from}`,
      };
    }
    // a superseded offer may still be declined (the partner confirms it lost the crossing)
    const answerable =
      envelope.type === 'agreement.declined' ? ['offered', 'superseded'] : ['offered'];
    if (!answerable.includes(offer.state)) {
      return { reason: 'SCHEMA_INVALID', detail: `that offer is already ${offer.state}` };
    }
    if (
      envelope.type === 'agreement.countersigned' &&
      !verifyAgreementSignature(
        answer.agreementId,
        answer.version,
        answer.hash,
        envelope.payload.signature,
        senderKey,
      )
    ) {
      return { reason: 'BAD_SIGNATURE', detail: 'the countersignature does not verify' };
    }
    return undefined;
  }

  private async lifecycleRefusal(
    manager: EntityManager,
    envelope: Envelope,
    action: Action,
  ): Promise<Refusal | undefined> {
    const agreement = await findAgreement(manager, envelope.agreementId);
    if (!agreement || agreement.partner !== envelope.from) {
      return {
        reason: 'NO_AGREEMENT',
        detail: `no agreement ${envelope.agreementId} with ${envelope.from}`,
      };
    }
    const problem = transitionProblem(agreement.status, action);
    return problem ? { reason: 'AGREEMENT_INACTIVE', detail: problem } : undefined;
  }
}
