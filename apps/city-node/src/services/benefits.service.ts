import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { BenefitEntitlementPayloadV1, BenefitEntitlementPiiV1 } from '@yipanqi/contracts';
import {
  blindIndex,
  decryptAtRest,
  decryptPii,
  encryptAtRest,
  encryptPii,
  NodeKeys,
} from '@yipanqi/crypto';
import { ExchangeNode, MessageRefused, PeerKeys, ReceivedMessage } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AccessLog, AccessReason } from '../access-log/access-log';
import { AgreementState } from '../agreements/agreement-rules';
import { agreementState } from '../agreements/agreement-store';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { deliveries } from '../notices/delivery';
import { CITY_NODE_CONFIG, NODE_KEYS } from '../tokens';
import { entitlementState, grantProblem, receivedEntitlementRefusal } from './benefit-rules';
import { assertFitsExchange, partnerKey } from '../exchange/flow-sending';
import { problemError } from './flow-support';
import { GrantEntitlementDto, ListEntitlementsQuery } from './service.dto';
import { BenefitEntitlement } from './service.entities';
import { EntitlementView, RevealedEntitlementView } from './service.views';
import { entitlementFacts, ServicesService } from './services.service';

/**
 * SQL: the entitlement is delivered — it names a service, and that service's
 * report was not rejected by the partner (see `entitlementState`).
 */
const DELIVERED = `(e.service_id IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM service_report s JOIN exchange_outbox o ON o.id = s.delivered_message_id
  WHERE s.id = e.service_id AND o.answer = 'rejection'))`;

/**
 * 奖励扶助: the outflow node grants a benefit (benefit.entitlement) that the
 * inflow node pays where the person lives, reporting the payment as a
 * benefit-payment service (ServicesService).
 */
@Injectable()
export class BenefitsService {
  constructor(
    @Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig,
    @Inject(NODE_KEYS) private readonly keys: NodeKeys,
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly services: ServicesService,
    private readonly accessLog: AccessLog,
  ) {}

  async grant(dto: GrantEntitlementDto): Promise<{ id: string; messageId: string }> {
    const forPartner = partnerKey(this.peers, dto.to);
    const secret: BenefitEntitlementPiiV1 = {
      person: dto.person,
      ...(dto.note !== undefined ? { note: dto.note } : {}),
    };
    const [sealed, atRest] = await Promise.all([
      encryptPii(secret, forPartner),
      encryptAtRest(secret, this.dataKey),
    ]);
    const payload: BenefitEntitlementPayloadV1 = {
      benefit: dto.benefit,
      domain: dto.domain,
      amount: dto.amount,
      periodFrom: dto.periodFrom,
      periodTo: dto.periodTo,
      pii: sealed,
    };
    assertFitsExchange({ ...payload });
    const id = uuidv7();
    return this.transactions.run(async (manager) => {
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        dto.to,
        'benefit.entitlement',
        { ...payload },
        dto.agreementId,
      );
      const { terms } = (await agreementState(manager, agreementId)) as AgreementState;
      const problem = grantProblem(terms, this.config.nodeCode, agreementId);
      if (problem) throw problemError(problem);
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: dto.to,
        type: 'benefit.entitlement',
        agreementId,
        correlationId: id,
        payload: { ...payload },
      });
      await manager.insert(BenefitEntitlement, {
        id,
        direction: 'sent',
        peer: dto.to,
        agreementId,
        benefit: dto.benefit,
        domain: dto.domain,
        amount: dto.amount,
        periodFrom: dto.periodFrom,
        periodTo: dto.periodTo,
        personIndex: blindIndex(this.dataKey, dto.person.idNumber),
        pii: atRest,
        messageId: envelope.id,
        serviceId: null,
        createdAt: Date.now(),
      });
      return { id, messageId: envelope.id };
    });
  }

  async onEntitlement(
    manager: EntityManager,
    message: ReceivedMessage<'benefit.entitlement'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    const secret = message.pii;
    // the agreement gate let it in, so the agreement exists
    const { terms } = (await agreementState(manager, envelope.agreementId)) as AgreementState;
    const known = envelope.correlationId
      ? await manager.count(BenefitEntitlement, { where: { id: envelope.correlationId } })
      : 0;
    const refusal = receivedEntitlementRefusal(envelope, terms, known > 0);
    if (refusal) throw new MessageRefused('SCHEMA_INVALID', refusal);
    await manager.insert(BenefitEntitlement, {
      id: envelope.correlationId as string,
      direction: 'received',
      peer: envelope.from,
      agreementId: envelope.agreementId,
      benefit: payload.benefit,
      domain: payload.domain,
      amount: payload.amount,
      periodFrom: payload.periodFrom,
      periodTo: payload.periodTo,
      personIndex: blindIndex(this.dataKey, secret.person.idNumber),
      pii: payload.pii,
      messageId: envelope.id,
      serviceId: null,
      createdAt: message.brokerTime,
    });
  }

  async list(query: ListEntitlementsQuery): Promise<EntitlementView[]> {
    const q = this.dataSource.getRepository(BenefitEntitlement).createQueryBuilder('e');
    if (query.direction) q.andWhere('e.direction = :direction', { direction: query.direction });
    if (query.state === 'delivered') q.andWhere(DELIVERED);
    if (query.state === 'open') q.andWhere(`NOT ${DELIVERED}`);
    const rows = await q
      .orderBy('e.createdAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(query.limit ?? 100)
      .getMany();
    return this.views(this.dataSource.manager, rows);
  }

  /** One entitlement with the person and note, after the read is logged. */
  async get(id: string, reason: AccessReason): Promise<RevealedEntitlementView> {
    const entitlement = await this.dataSource
      .getRepository(BenefitEntitlement)
      .findOne({ where: { id } });
    if (!entitlement) {
      throw new ProblemError(
        404,
        'ENTITLEMENT_NOT_FOUND',
        'No such entitlement',
        `no entitlement ${id}`,
      );
    }
    const [view] = await this.views(this.dataSource.manager, [entitlement]);
    const secret = (
      entitlement.direction === 'sent'
        ? await decryptAtRest(entitlement.pii, this.dataKey)
        : await decryptPii(entitlement.pii, this.keys.encryption.privateKey)
    ) as BenefitEntitlementPiiV1;
    await this.accessLog.recordReads(reason, 'benefit-entitlement', [id]);
    return { ...view, person: secret.person, note: secret.note ?? null };
  }

  private async views(
    manager: EntityManager,
    rows: BenefitEntitlement[],
  ): Promise<EntitlementView[]> {
    const sent = await deliveries(
      manager,
      rows.map((e) => (e.direction === 'sent' ? e.messageId : null)),
    );
    const reports = await this.services.reportDeliveries(manager, rows);
    return rows.map((e) => ({
      id: e.id,
      direction: e.direction,
      peer: e.peer,
      agreementId: e.agreementId,
      benefit: e.benefit,
      domain: e.domain,
      amount: e.amount,
      currency: 'CNY' as const,
      periodFrom: e.periodFrom,
      periodTo: e.periodTo,
      state: entitlementState(entitlementFacts(e, reports)),
      serviceId: e.serviceId,
      grantedAt: new Date(e.createdAt).toISOString(),
      delivery: sent.get(e.messageId) ?? null,
    }));
  }
}
