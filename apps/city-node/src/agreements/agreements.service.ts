import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  AgreementCountersignedPayloadV1,
  AgreementDeclinedPayloadV1,
  AgreementLifecyclePayloadV1,
  AgreementOfferPayloadV1,
  AgreementTermsV1,
  messageDomain,
} from '@yipanqi/contracts';
import { importSigningPublicKey, NodeKeys, rawPublicKey } from '@yipanqi/crypto';
import { ExchangeNode, ReceivedMessage } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG, NODE_KEYS } from '../tokens';
import {
  Action,
  agreementHash,
  AgreementStatus,
  crossingWinner,
  DEFAULT_SLA,
  DEFAULT_WEIGHTS,
  effectiveStatus,
  flowRefusal,
  partnerOf,
  signAgreement,
  termInstant,
  termsProblems,
  transitionProblem,
  verifyAgreementSignature,
} from './agreement-rules';
import {
  agreementState,
  currentVersion,
  findAgreement,
  pendingOffer,
  recordEvent,
  termsOf,
} from './agreement-store';
import { Agreement, AgreementEvent, AgreementVersion } from './agreement.entities';
import {
  AmendAgreementDto,
  AnswerOfferDto,
  DraftAgreementDto,
  LifecycleDto,
} from './agreement.dto';

const LIFECYCLE_MESSAGE = {
  suspend: 'agreement.suspended',
  resume: 'agreement.resumed',
  terminate: 'agreement.terminated',
} as const;
const LIFECYCLE_STATUS: Record<keyof typeof LIFECYCLE_MESSAGE, AgreementStatus> = {
  suspend: 'suspended',
  resume: 'active',
  terminate: 'terminated',
};

/** HTTP status of each refusal code when staff try to send a flow that may not go. */
const REFUSAL_STATUS = { NO_AGREEMENT: 422, AGREEMENT_INACTIVE: 409, OUT_OF_SCOPE: 422 } as const;

/**
 * Cooperation agreements on this node: what staff do through the API, and
 * what the partner's agreement messages do when they arrive (after
 * AgreementGate accepted them). Every change and the message announcing it
 * commit in one transaction.
 */
@Injectable()
export class AgreementsService {
  private readonly me: string;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    @Inject(NODE_KEYS) private readonly keys: NodeKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
  ) {
    this.me = config.nodeCode;
  }

  // ---- staff actions ------------------------------------------------------

  async draft(dto: DraftAgreementDto) {
    if (dto.partner === this.me) {
      throw invalid('an agreement needs another node as partner');
    }
    const terms: AgreementTermsV1 = {
      agreementId: uuidv7(),
      version: 1,
      inflow: dto.myRole === 'inflow' ? this.me : dto.partner,
      outflow: dto.myRole === 'outflow' ? this.me : dto.partner,
      scope: dto.scope,
      sla: dto.sla ?? { ...DEFAULT_SLA },
      weights: dto.weights ?? { ...DEFAULT_WEIGHTS },
      termStart: instant(dto.termStart),
      termEnd: instant(dto.termEnd),
      contacts: dto.contacts ?? [],
    };
    this.assertSound(terms);
    const hash = agreementHash(terms);
    const now = Date.now();
    await this.transactions.run(async (m) => {
      await m.insert(Agreement, {
        id: terms.agreementId,
        partner: dto.partner,
        myRole: dto.myRole,
        status: 'draft',
        version: 1,
        hash,
        createdAt: now,
        updatedAt: now,
      });
      await m.insert(AgreementVersion, {
        agreementId: terms.agreementId,
        version: 1,
        hash,
        terms: JSON.stringify(terms),
        proposer: this.me,
        state: 'draft',
        offerMessageId: null,
        proposerSignature: null,
        proposerKey: null,
        countersignature: null,
        countersignerKey: null,
        createdAt: now,
        decidedAt: null,
      });
      await this.event(m, terms.agreementId, 'drafted', this.me, 1, '', null);
    });
    return this.get(terms.agreementId);
  }

  async propose(id: string) {
    await this.transactions.run(async (m) => {
      const agreement = await this.load(m, id);
      this.assertAllowed(agreement.status, 'propose');
      const version = await currentVersion(m, agreement);
      const terms = termsOf(version);
      const envelope = await this.offer(m, version, terms, 'agreement.proposed');
      agreement.status = 'proposed';
      agreement.updatedAt = Date.now();
      await m.save(agreement);
      await this.event(m, id, 'proposed', this.me, terms.version, '', envelope.id);
    });
    return this.get(id);
  }

  async countersign(id: string, dto: AnswerOfferDto) {
    await this.transactions.run(async (m) => {
      const agreement = await this.load(m, id);
      const offer = await this.partnersOffer(m, agreement, dto.hash);
      const signature = signAgreement(id, offer.version, offer.hash, this.keys.signing.privateKey);
      const payload: AgreementCountersignedPayloadV1 = {
        agreementId: id,
        version: offer.version,
        hash: offer.hash,
        signature,
      };
      const envelope = await this.exchange.outbox.enqueue(m, {
        to: agreement.partner,
        type: 'agreement.countersigned',
        agreementId: id,
        correlationId: offer.offerMessageId,
        causationId: offer.offerMessageId,
        payload: { ...payload },
      });
      offer.countersignature = signature;
      offer.countersignerKey = rawPublicKey(this.keys.signing.publicKey);
      await this.putInForce(m, agreement, offer);
      await this.event(
        m,
        id,
        'countersigned',
        this.me,
        offer.version,
        dto.comment ?? '',
        envelope.id,
      );
    });
    return this.get(id);
  }

  async decline(id: string, dto: AnswerOfferDto) {
    await this.transactions.run(async (m) => {
      const agreement = await this.load(m, id);
      const offer = await this.partnersOffer(m, agreement, dto.hash);
      const envelope = await this.sendDecline(m, agreement, offer, 'declined', dto.comment ?? '');
      offer.state = 'declined';
      offer.decidedAt = Date.now();
      await m.save(offer);
      if (agreement.status === 'received') {
        agreement.status = 'declined';
        agreement.updatedAt = Date.now();
        await m.save(agreement);
      }
      await this.event(m, id, 'declined', this.me, offer.version, dto.comment ?? '', envelope.id);
    });
    return this.get(id);
  }

  async amend(id: string, dto: AmendAgreementDto) {
    await this.transactions.run(async (m) => {
      const agreement = await this.load(m, id);
      this.assertAllowed(agreement.status, 'amend');
      const pending = await m.findOne(AgreementVersion, {
        where: { agreementId: id, state: 'offered' },
      });
      if (pending) {
        throw new ProblemError(
          409,
          'AMENDMENT_PENDING',
          'An amendment is awaiting an answer',
          `version ${pending.version} offered by ${pending.proposer} must be answered first`,
        );
      }
      const current = termsOf(await currentVersion(m, agreement));
      const terms: AgreementTermsV1 = {
        ...current,
        version: current.version + 1,
        scope: dto.scope ?? current.scope,
        sla: dto.sla ?? current.sla,
        weights: dto.weights ?? current.weights,
        termStart: dto.termStart ? instant(dto.termStart) : current.termStart,
        termEnd: dto.termEnd ? instant(dto.termEnd) : current.termEnd,
        contacts: dto.contacts ?? current.contacts,
      };
      this.assertSound(terms);
      const version = this.newVersion(terms, this.me);
      const envelope = await this.offer(m, version, terms, 'agreement.amended');
      await this.event(m, id, 'amendment-offered', this.me, terms.version, '', envelope.id);
    });
    return this.get(id);
  }

  async lifecycle(id: string, action: 'suspend' | 'resume' | 'terminate', dto: LifecycleDto) {
    await this.transactions.run(async (m) => {
      const agreement = await this.load(m, id);
      this.assertAllowed(agreement.status, action);
      const payload: AgreementLifecyclePayloadV1 = { agreementId: id, reason: dto.reason };
      const envelope = await this.exchange.outbox.enqueue(m, {
        to: agreement.partner,
        type: LIFECYCLE_MESSAGE[action],
        agreementId: id,
        payload: { ...payload },
      });
      agreement.status = LIFECYCLE_STATUS[action];
      agreement.updatedAt = Date.now();
      await m.save(agreement);
      await this.event(
        m,
        id,
        LIFECYCLE_STATUS[action],
        this.me,
        agreement.version,
        dto.reason,
        envelope.id,
      );
    });
    return this.get(id);
  }

  // ---- reading --------------------------------------------------------------

  async list() {
    const rows = await this.dataSource
      .getRepository(Agreement)
      .find({ order: { createdAt: 'DESC' } });
    const versions = await this.dataSource.getRepository(AgreementVersion).find({
      where: { agreementId: In(rows.map((r) => r.id)) },
    });
    const now = Date.now();
    return rows.map((a) => {
      const current = versions.find((v) => v.agreementId === a.id && v.hash === a.hash);
      const terms = current ? termsOf(current) : undefined;
      return {
        id: a.id,
        partner: a.partner,
        myRole: a.myRole,
        status: terms ? effectiveStatus({ status: a.status, terms }, now) : a.status,
        version: a.version,
        scope: terms?.scope,
        termStart: terms?.termStart,
        termEnd: terms?.termEnd,
        awaitingAnswer: versions.some((v) => v.agreementId === a.id && v.state === 'offered'),
      };
    });
  }

  async get(id: string) {
    return this.transactions.run(async (m) => {
      const agreement = await this.load(m, id);
      const versions = await m.find(AgreementVersion, {
        where: { agreementId: id },
        order: { version: 'ASC', createdAt: 'ASC' },
      });
      const events = await m.find(AgreementEvent, {
        where: { agreementId: id },
        order: { id: 'ASC' },
      });
      const current = versions.find((v) => v.hash === agreement.hash) as AgreementVersion;
      const terms = termsOf(current);
      return {
        id,
        partner: agreement.partner,
        myRole: agreement.myRole,
        status: effectiveStatus({ status: agreement.status, terms }, Date.now()),
        version: agreement.version,
        hash: agreement.hash,
        terms,
        versions: versions.map((v) => ({
          version: v.version,
          hash: v.hash,
          state: v.state,
          proposer: v.proposer,
          terms: termsOf(v),
          proposerSignature: v.proposerSignature,
          proposerKey: v.proposerKey,
          countersignature: v.countersignature,
          countersignerKey: v.countersignerKey,
          offerMessageId: v.offerMessageId,
        })),
        history: events.map(({ action, by, version, reason, messageId, at }) => ({
          action,
          by,
          version,
          reason,
          messageId,
          at: new Date(at).toISOString(),
        })),
      };
    });
  }

  /** Both signatures of the version in force, checked against the keys that made them. */
  async verify(id: string) {
    const view = await this.get(id);
    const inForce = view.versions.find((v) => v.state === 'in-force');
    if (!inForce) {
      throw new ProblemError(
        409,
        'NOT_IN_FORCE',
        'No version is in force',
        `agreement ${id} is ${view.status}`,
      );
    }
    const check = (signature: string | null, key: string | null) =>
      signature !== null &&
      key !== null &&
      verifyAgreementSignature(
        id,
        inForce.version,
        inForce.hash,
        signature,
        importSigningPublicKey(key),
      );
    const countersigner =
      inForce.proposer === view.terms.inflow ? view.terms.outflow : view.terms.inflow;
    return {
      agreementId: id,
      version: inForce.version,
      hash: inForce.hash,
      hashMatchesText: agreementHash(inForce.terms) === inForce.hash,
      signatures: [
        {
          node: inForce.proposer,
          key: inForce.proposerKey,
          signature: inForce.proposerSignature,
          valid: check(inForce.proposerSignature, inForce.proposerKey),
        },
        {
          node: countersigner,
          key: inForce.countersignerKey,
          signature: inForce.countersignature,
          valid: check(inForce.countersignature, inForce.countersignerKey),
        },
      ],
    };
  }

  /**
   * The agreement a flow message to `partner` travels under: the one named,
   * or the only one in force with that partner whose scope covers the
   * message. Refused with the same rule the partner applies on receipt.
   */
  async agreementForFlow(
    m: EntityManager,
    partner: string,
    type: string,
    payload: Record<string, unknown>,
    named?: string,
  ): Promise<string> {
    const message = { from: this.me, to: partner, type, payload };
    const now = Date.now();
    const refuse = (reason: keyof typeof REFUSAL_STATUS, detail: string): never => {
      throw new ProblemError(REFUSAL_STATUS[reason], reason, 'The message may not be sent', detail);
    };
    if (named) {
      const refusal = flowRefusal(
        await agreementState(m, named),
        { ...message, agreementId: named },
        now,
      );
      if (refusal) refuse(refusal.reason, refusal.detail);
      return named;
    }
    const candidates = await m.find(Agreement, {
      where: { partner, status: In(['active', 'suspended']) },
    });
    const verdicts = await Promise.all(
      candidates.map(async (a) => ({
        id: a.id,
        refusal: flowRefusal(
          { status: a.status, terms: termsOf(await currentVersion(m, a)) },
          { ...message, agreementId: a.id },
          now,
        ),
      })),
    );
    const usable = verdicts.filter((v) => !v.refusal);
    if (usable.length === 1) return usable[0].id;
    if (usable.length > 1) {
      throw new ProblemError(
        422,
        'AGREEMENT_AMBIGUOUS',
        'Several agreements could carry this message',
        `name one of ${usable.map((u) => u.id).join(', ')} in agreementId`,
      );
    }
    const domain = messageDomain(type, payload);
    const best =
      verdicts.find((v) => v.refusal?.reason === 'OUT_OF_SCOPE') ??
      verdicts.find((v) => v.refusal?.reason === 'AGREEMENT_INACTIVE');
    if (best?.refusal) return refuse(best.refusal.reason, best.refusal.detail);
    return refuse(
      'NO_AGREEMENT',
      `no agreement in force with ${partner}${domain ? ` covers ${domain}` : ''}`,
    );
  }

  // ---- the partner's messages (AgreementGate has checked them) --------------

  async onProposed(
    m: EntityManager,
    message: ReceivedMessage<'agreement.proposed'>,
  ): Promise<void> {
    const { envelope } = message;
    const offer = envelope.payload;
    const { terms } = offer;
    const theirs = this.newVersion(terms, envelope.from, offer, message);
    const now = message.brokerTime;
    let status: AgreementStatus = 'received';
    // crossing: our own unanswered proposals to the same partner
    const ours = await m.find(Agreement, { where: { partner: envelope.from, status: 'proposed' } });
    for (const own of ours) {
      const ownOffer = await currentVersion(m, own);
      if (crossingWinner(ownOffer.offerMessageId as string, envelope.id) === 'theirs') {
        await this.supersede(m, own, ownOffer, envelope.id, now);
      } else {
        status = 'superseded';
      }
    }
    await m.insert(Agreement, {
      id: terms.agreementId,
      partner: envelope.from,
      myRole: terms.inflow === this.me ? 'inflow' : 'outflow',
      status,
      version: 1,
      hash: offer.hash,
      createdAt: now,
      updatedAt: now,
    });
    theirs.state = status === 'superseded' ? 'superseded' : 'offered';
    await m.insert(AgreementVersion, theirs);
    await this.event(m, terms.agreementId, 'proposed', envelope.from, 1, '', envelope.id, now);
    if (status === 'superseded') {
      const agreement = await this.load(m, terms.agreementId);
      await this.sendDecline(
        m,
        agreement,
        theirs,
        'superseded',
        'crossed with an earlier proposal',
      );
      await this.event(
        m,
        terms.agreementId,
        'superseded',
        this.me,
        1,
        'crossed with an earlier proposal',
        null,
        now,
      );
    }
  }

  async onAmended(m: EntityManager, message: ReceivedMessage<'agreement.amended'>): Promise<void> {
    const { envelope } = message;
    const offer = envelope.payload;
    const agreement = await this.load(m, offer.terms.agreementId);
    const theirs = this.newVersion(offer.terms, envelope.from, offer, message);
    const now = message.brokerTime;
    await this.event(
      m,
      agreement.id,
      'amendment-offered',
      envelope.from,
      theirs.version,
      '',
      envelope.id,
      now,
    );
    const own = await pendingOffer(m, agreement.id, this.me);
    if (own && own.version === theirs.version) {
      if (crossingWinner(own.offerMessageId as string, envelope.id) === 'ours') {
        theirs.state = 'superseded';
        await m.insert(AgreementVersion, theirs);
        await this.sendDecline(
          m,
          agreement,
          theirs,
          'superseded',
          'crossed with an earlier amendment',
        );
        await this.event(
          m,
          agreement.id,
          'superseded',
          this.me,
          theirs.version,
          'crossed with an earlier amendment',
          null,
          now,
        );
        return;
      }
      await this.supersede(m, undefined, own, envelope.id, now);
    }
    await m.insert(AgreementVersion, theirs);
  }

  async onCountersigned(
    m: EntityManager,
    message: ReceivedMessage<'agreement.countersigned'>,
  ): Promise<void> {
    const answer = message.envelope.payload;
    const agreement = await this.load(m, answer.agreementId);
    const offer = await m.findOneOrFail(AgreementVersion, {
      where: { agreementId: answer.agreementId, version: answer.version, hash: answer.hash },
    });
    offer.countersignature = answer.signature;
    offer.countersignerKey = rawPublicKey(message.senderKey);
    await this.putInForce(m, agreement, offer, message.brokerTime);
    await this.event(
      m,
      agreement.id,
      'countersigned',
      message.envelope.from,
      offer.version,
      '',
      message.envelope.id,
      message.brokerTime,
    );
  }

  async onDeclined(
    m: EntityManager,
    message: ReceivedMessage<'agreement.declined'>,
  ): Promise<void> {
    const answer = message.envelope.payload;
    const agreement = await this.load(m, answer.agreementId);
    const offer = await m.findOneOrFail(AgreementVersion, {
      where: { agreementId: answer.agreementId, version: answer.version, hash: answer.hash },
    });
    await this.event(
      m,
      agreement.id,
      answer.reason,
      message.envelope.from,
      offer.version,
      answer.comment,
      message.envelope.id,
      message.brokerTime,
    );
    if (offer.state !== 'offered') return; // we had already settled the crossing the same way
    offer.state = answer.reason === 'superseded' ? 'superseded' : 'declined';
    offer.decidedAt = message.brokerTime;
    await m.save(offer);
    if (agreement.status === 'proposed') {
      agreement.status = offer.state;
      agreement.updatedAt = message.brokerTime;
      await m.save(agreement);
    }
  }

  async onLifecycle(
    m: EntityManager,
    message: ReceivedMessage<'agreement.suspended' | 'agreement.resumed' | 'agreement.terminated'>,
    action: 'suspend' | 'resume' | 'terminate',
  ): Promise<void> {
    const { payload } = message.envelope;
    const agreement = await this.load(m, payload.agreementId);
    agreement.status = LIFECYCLE_STATUS[action];
    agreement.updatedAt = message.brokerTime;
    await m.save(agreement);
    await this.event(
      m,
      agreement.id,
      LIFECYCLE_STATUS[action],
      message.envelope.from,
      agreement.version,
      payload.reason,
      message.envelope.id,
      message.brokerTime,
    );
  }

  // ---- helpers --------------------------------------------------------------

  private async load(m: EntityManager, id: string): Promise<Agreement> {
    const agreement = await findAgreement(m, id);
    if (!agreement) {
      throw new ProblemError(404, 'AGREEMENT_NOT_FOUND', 'No such agreement', `no agreement ${id}`);
    }
    return agreement;
  }

  private assertAllowed(status: AgreementStatus, action: Action): void {
    const problem = transitionProblem(status, action);
    if (problem)
      throw new ProblemError(409, 'TRANSITION_NOT_ALLOWED', 'Not possible in this state', problem);
  }

  private assertSound(terms: AgreementTermsV1): void {
    const problems = termsProblems(terms, this.me);
    if (problems.length > 0) throw invalid(problems.join('; '));
  }

  /** The partner's offer awaiting our answer; `hash` must be the one staff read. */
  private async partnersOffer(
    m: EntityManager,
    agreement: Agreement,
    hash: string,
  ): Promise<AgreementVersion> {
    const offer = await pendingOffer(m, agreement.id, agreement.partner);
    if (!offer) {
      throw new ProblemError(
        409,
        'TRANSITION_NOT_ALLOWED',
        'Nothing to answer',
        `agreement ${agreement.id} has no offer from ${agreement.partner} awaiting an answer`,
      );
    }
    if (offer.hash !== hash) {
      throw new ProblemError(
        409,
        'HASH_MISMATCH',
        'The offer is not the text you read',
        `the offer awaiting an answer has hash ${offer.hash}`,
      );
    }
    return offer;
  }

  private newVersion(
    terms: AgreementTermsV1,
    proposer: string,
    offer?: AgreementOfferPayloadV1,
    message?: ReceivedMessage,
  ): AgreementVersion {
    return {
      agreementId: terms.agreementId,
      version: terms.version,
      hash: offer?.hash ?? agreementHash(terms),
      terms: JSON.stringify(terms),
      proposer,
      state: 'offered',
      offerMessageId: message?.envelope.id ?? null,
      proposerSignature: offer?.signature ?? null,
      proposerKey: message ? rawPublicKey(message.senderKey) : null,
      countersignature: null,
      countersignerKey: null,
      createdAt: message?.brokerTime ?? Date.now(),
      decidedAt: null,
    };
  }

  /** Signs our offer (proposal or amendment), sends it and stores it as offered. */
  private async offer(
    m: EntityManager,
    version: AgreementVersion,
    terms: AgreementTermsV1,
    type: 'agreement.proposed' | 'agreement.amended',
  ) {
    const signature = signAgreement(
      terms.agreementId,
      terms.version,
      version.hash,
      this.keys.signing.privateKey,
    );
    const payload: AgreementOfferPayloadV1 = { terms, hash: version.hash, signature };
    const envelope = await this.exchange.outbox.enqueue(m, {
      to: partnerOf(terms, this.me),
      type,
      agreementId: terms.agreementId,
      // a plain copy: the text may come in as DTO class instances
      payload: structuredClone(payload),
    });
    version.state = 'offered';
    version.offerMessageId = envelope.id;
    version.proposerSignature = signature;
    version.proposerKey = rawPublicKey(this.keys.signing.publicKey);
    await m.save(AgreementVersion, version);
    return envelope;
  }

  private sendDecline(
    m: EntityManager,
    agreement: Agreement,
    offer: AgreementVersion,
    reason: AgreementDeclinedPayloadV1['reason'],
    comment: string,
  ) {
    const payload: AgreementDeclinedPayloadV1 = {
      agreementId: agreement.id,
      version: offer.version,
      hash: offer.hash,
      reason,
      comment,
    };
    return this.exchange.outbox.enqueue(m, {
      to: agreement.partner,
      type: 'agreement.declined',
      agreementId: agreement.id,
      correlationId: offer.offerMessageId,
      causationId: offer.offerMessageId,
      payload: { ...payload },
    });
  }

  /** Our offer lost a crossing: it stays in the history as superseded. */
  private async supersede(
    m: EntityManager,
    agreement: Agreement | undefined,
    offer: AgreementVersion,
    by: string,
    at: number,
  ): Promise<void> {
    offer.state = 'superseded';
    offer.decidedAt = at;
    await m.save(offer);
    if (agreement) {
      agreement.status = 'superseded';
      agreement.updatedAt = at;
      await m.save(agreement);
    }
    await this.event(
      m,
      offer.agreementId,
      'superseded',
      this.me,
      offer.version,
      `crossed with ${by}, which was earlier`,
      by,
      at,
    );
  }

  /** A countersigned version takes over; the one before it is kept as replaced. */
  private async putInForce(
    m: EntityManager,
    agreement: Agreement,
    offer: AgreementVersion,
    at = Date.now(),
  ): Promise<void> {
    await m.update(
      AgreementVersion,
      { agreementId: agreement.id, state: 'in-force' },
      { state: 'replaced', decidedAt: at },
    );
    offer.state = 'in-force';
    offer.decidedAt = at;
    await m.save(offer);
    if (agreement.status === 'proposed' || agreement.status === 'received')
      agreement.status = 'active';
    agreement.version = offer.version;
    agreement.hash = offer.hash;
    agreement.updatedAt = at;
    await m.save(agreement);
  }

  private event(
    m: EntityManager,
    agreementId: string,
    action: string,
    by: string,
    version: number,
    reason: string,
    messageId: string | null,
    at = Date.now(),
  ): Promise<void> {
    return recordEvent(m, { agreementId, action, by, version, reason, messageId, at });
  }
}

function invalid(detail: string): ProblemError {
  return new ProblemError(422, 'AGREEMENT_INVALID', 'The agreement text is not valid', detail);
}

function instant(value: string): string {
  try {
    return termInstant(value);
  } catch {
    throw invalid(`not a date or instant: ${value}`);
  }
}
