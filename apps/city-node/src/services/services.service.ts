import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  BenefitEntitlementPiiV1,
  PersonV1,
  ServiceAcknowledgedPayloadV1,
  ServiceAcknowledgedPiiV1,
  ServiceDeliveredPayloadV1,
  ServiceDeliveredPiiV1,
} from '@yipanqi/contracts';
import {
  blindIndex,
  decryptAtRest,
  decryptPii,
  encryptAtRest,
  encryptPii,
  NodeKeys,
} from '@yipanqi/crypto';
import { ExchangeNode, MessageRefused, PeerKeys, ReceivedMessage } from '@yipanqi/exchange';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AccessLog, AccessReason } from '../access-log/access-log';
import { AgreementsService } from '../agreements/agreements.service';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { deliveries, Delivery } from '../notices/delivery';
import { NODE_KEYS } from '../tokens';
import { EntitlementFacts, fulfilmentProblem } from './benefit-rules';
import { assertFitsExchange, findForUpdate, partnerKey } from '../exchange/flow-sending';
import { problemError } from './flow-support';
import {
  acknowledgeProblem,
  deliveredOnProblem,
  isAcknowledged,
  receivedAcknowledgementRefusal,
  receivedServiceRefusal,
  serviceThread,
} from './service-rules';
import { AcknowledgeServiceDto, ListServicesQuery, ReportServiceDto } from './service.dto';
import { RevealedServiceView, ServiceView } from './service.views';
import { BenefitEntitlement, ServiceReport } from './service.entities';

/** SQL: the service counts as acknowledged (see `isAcknowledged`). */
const ACKNOWLEDGED = `((s.direction = 'delivered' AND s.acknowledged_at IS NOT NULL)
  OR (s.direction = 'received' AND s.acknowledgement_message_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM exchange_outbox o
      WHERE o.id = s.acknowledgement_message_id AND o.answer = 'rejection')))`;

/**
 * 服务互动: services delivered on a partner's behalf (service.delivered) and
 * their acknowledgement (service.acknowledged). A report that pays a benefit
 * entitlement marks it delivered on both sides.
 */
@Injectable()
export class ServicesService {
  constructor(
    @Inject(NODE_KEYS) private readonly keys: NodeKeys,
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly accessLog: AccessLog,
  ) {}

  /** Records the service and queues its report for the partner in one transaction. */
  async report(dto: ReportServiceDto): Promise<{ id: string; messageId: string }> {
    const forPartner = partnerKey(this.peers, dto.to);
    const future = deliveredOnProblem(dto.deliveredOn, Date.now());
    if (future) throw problemError(future);
    const serviceId = uuidv7();
    return this.transactions.run(async (manager) => {
      let person: PersonV1 | undefined = dto.person;
      if (dto.entitlementId) {
        person = await this.checkFulfilment(manager, dto, dto.entitlementId);
      }
      const secret: ServiceDeliveredPiiV1 = {
        ...(person ? { person } : {}),
        ...(dto.details !== undefined ? { details: dto.details } : {}),
      };
      const [sealed, atRest] = await Promise.all([
        encryptPii(secret, forPartner),
        encryptAtRest(secret, this.dataKey),
      ]);
      const payload: ServiceDeliveredPayloadV1 = {
        serviceId,
        serviceType: dto.serviceType,
        domain: dto.domain,
        deliveredOn: dto.deliveredOn,
        provider: dto.provider,
        ...(dto.entitlementId ? { entitlementId: dto.entitlementId } : {}),
        pii: sealed,
      };
      assertFitsExchange({ ...payload });
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        dto.to,
        'service.delivered',
        { ...payload },
        dto.agreementId,
      );
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: dto.to,
        type: 'service.delivered',
        agreementId,
        correlationId: dto.entitlementId ?? serviceId,
        payload: { ...payload },
      });
      await manager.insert(ServiceReport, {
        id: serviceId,
        direction: 'delivered',
        peer: dto.to,
        agreementId,
        serviceType: dto.serviceType,
        domain: dto.domain,
        deliveredOn: dto.deliveredOn,
        provider: dto.provider,
        entitlementId: dto.entitlementId ?? null,
        personIndex: person ? blindIndex(this.dataKey, person.idNumber) : null,
        pii: atRest,
        deliveredMessageId: envelope.id,
        createdAt: Date.now(),
      });
      if (dto.entitlementId) {
        await manager.update(BenefitEntitlement, { id: dto.entitlementId }, { serviceId });
      }
      return { id: serviceId, messageId: envelope.id };
    });
  }

  /**
   * A payment of an entitlement `to` granted this node: the entitlement must
   * still be open and match. Returns the person paid (the entitlement's when
   * the request names none). The row stays locked until the report commits.
   */
  private async checkFulfilment(
    manager: EntityManager,
    dto: ReportServiceDto,
    entitlementId: string,
  ): Promise<PersonV1> {
    const entitlement = await findForUpdate(manager, BenefitEntitlement, {
      id: entitlementId,
      direction: 'received',
      peer: dto.to,
    });
    const facts = entitlement ? await this.loadEntitlementFacts(manager, entitlement) : undefined;
    const problem = fulfilmentProblem(
      {
        serviceType: dto.serviceType,
        domain: dto.domain,
        personIndex: dto.person ? blindIndex(this.dataKey, dto.person.idNumber) : null,
      },
      entitlementId,
      facts,
    );
    if (problem) throw problemError(problem);
    if (dto.person) return dto.person;
    const granted = (await decryptPii(
      (entitlement as BenefitEntitlement).pii,
      this.keys.encryption.privateKey,
    )) as BenefitEntitlementPiiV1;
    return granted.person;
  }

  /** The entitlement as the rules see it: a paying report the partner rejected delivered nothing. */
  private async loadEntitlementFacts(
    manager: EntityManager,
    e: BenefitEntitlement,
  ): Promise<EntitlementFacts> {
    return entitlementFacts(e, await this.reportDeliveries(manager, [e]));
  }

  /**
   * Where the reports paying these entitlements stand with their grantors, by
   * service id. Only entitlements this node received are paid by reports it
   * sent; at the granting node the report was received and has no delivery.
   */
  async reportDeliveries(
    manager: EntityManager,
    entitlements: BenefitEntitlement[],
  ): Promise<Map<string, Delivery>> {
    const serviceIds = entitlements.flatMap((e) =>
      e.direction === 'received' && e.serviceId ? [e.serviceId] : [],
    );
    if (serviceIds.length === 0) return new Map();
    const reports = await manager.find(ServiceReport, {
      select: { id: true, deliveredMessageId: true },
      where: { id: In(serviceIds) },
    });
    const known = await deliveries(
      manager,
      reports.map((r) => r.deliveredMessageId),
    );
    const byService = new Map<string, Delivery>();
    for (const r of reports) {
      const delivery = known.get(r.deliveredMessageId);
      if (delivery) byService.set(r.id, delivery);
    }
    return byService;
  }

  /** Staff acknowledge a partner's service report: recorded here and sent as service.acknowledged. */
  async acknowledge(
    id: string,
    dto: AcknowledgeServiceDto,
    principal: Principal,
  ): Promise<{ id: string; messageId: string }> {
    return this.transactions.run(async (manager) => {
      const service = await findForUpdate(manager, ServiceReport, { id });
      if (!service) throw notFound(id);
      const previous = service.acknowledgementMessageId
        ? ((await deliveries(manager, [service.acknowledgementMessageId])).get(
            service.acknowledgementMessageId,
          )?.state ?? null)
        : null;
      const problem = acknowledgeProblem(service, previous);
      if (problem) throw problemError(problem);
      const secret: ServiceAcknowledgedPiiV1 =
        dto.remark !== undefined ? { remark: dto.remark } : {};
      const [sealed, atRest] = await Promise.all([
        encryptPii(secret, partnerKey(this.peers, service.peer)),
        encryptAtRest(secret, this.dataKey),
      ]);
      const payload: ServiceAcknowledgedPayloadV1 = {
        serviceId: service.id,
        domain: service.domain,
        pii: sealed,
      };
      // the answer travels under the agreement of the report it answers
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        service.peer,
        'service.acknowledged',
        { ...payload },
        service.agreementId ?? undefined,
      );
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: service.peer,
        type: 'service.acknowledged',
        agreementId,
        correlationId: serviceThread(service),
        causationId: service.deliveredMessageId,
        payload: { ...payload },
      });
      await manager.update(
        ServiceReport,
        { id },
        {
          acknowledgedAt: Date.now(),
          acknowledgedByToken: principal.tokenId,
          acknowledgedBy: principal.label,
          acknowledgementMessageId: envelope.id,
          acknowledgementPii: atRest,
        },
      );
      return { id, messageId: envelope.id };
    });
  }

  // ---- the partner's messages ------------------------------------------------

  async onDelivered(
    manager: EntityManager,
    message: ReceivedMessage<'service.delivered'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    const secret = message.pii;
    const personIndex = secret.person ? blindIndex(this.dataKey, secret.person.idNumber) : null;
    const existing = await manager.count(ServiceReport, { where: { id: payload.serviceId } });
    const entitlement = payload.entitlementId
      ? await manager.findOne(BenefitEntitlement, {
          where: { id: payload.entitlementId, direction: 'sent', peer: envelope.from },
        })
      : null;
    const refusal = receivedServiceRefusal(
      {
        ...payload,
        correlationId: envelope.correlationId,
        personIndex,
        brokerTime: message.brokerTime,
      },
      existing > 0,
      entitlement ? await this.loadEntitlementFacts(manager, entitlement) : undefined,
    );
    if (refusal) throw new MessageRefused('SCHEMA_INVALID', refusal);
    await manager.insert(ServiceReport, {
      id: payload.serviceId,
      direction: 'received',
      peer: envelope.from,
      agreementId: envelope.agreementId,
      serviceType: payload.serviceType,
      domain: payload.domain,
      deliveredOn: payload.deliveredOn,
      provider: payload.provider,
      entitlementId: payload.entitlementId ?? null,
      personIndex,
      pii: payload.pii,
      deliveredMessageId: envelope.id,
      createdAt: message.brokerTime,
    });
    if (entitlement) {
      await manager.update(
        BenefitEntitlement,
        { id: entitlement.id },
        { serviceId: payload.serviceId },
      );
    }
  }

  async onAcknowledged(
    manager: EntityManager,
    message: ReceivedMessage<'service.acknowledged'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    const service = await manager.findOne(ServiceReport, {
      where: { id: payload.serviceId, direction: 'delivered', peer: envelope.from },
    });
    const refusal = receivedAcknowledgementRefusal(
      { ...payload, correlationId: envelope.correlationId, causationId: envelope.causationId },
      service ?? undefined,
    );
    if (refusal) throw new MessageRefused('SCHEMA_INVALID', refusal);
    await manager.update(
      ServiceReport,
      { id: payload.serviceId },
      {
        acknowledgedAt: message.brokerTime,
        acknowledgementMessageId: envelope.id,
        acknowledgementPii: payload.pii,
      },
    );
  }

  // ---- reading ----------------------------------------------------------------

  async list(query: ListServicesQuery): Promise<ServiceView[]> {
    const q = this.dataSource.getRepository(ServiceReport).createQueryBuilder('s');
    if (query.direction) q.andWhere('s.direction = :direction', { direction: query.direction });
    if (query.acknowledged === 'true') q.andWhere(ACKNOWLEDGED);
    if (query.acknowledged === 'false') q.andWhere(`NOT ${ACKNOWLEDGED}`);
    const rows = await q
      .orderBy('s.createdAt', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .take(query.limit ?? 100)
      .getMany();
    return this.views(this.dataSource.manager, rows);
  }

  /** One service with the person, details and remark, after the read is logged. */
  async get(id: string, reason: AccessReason): Promise<RevealedServiceView> {
    const service = await this.dataSource.getRepository(ServiceReport).findOne({ where: { id } });
    if (!service) throw notFound(id);
    const [view] = await this.views(this.dataSource.manager, [service]);
    // what this node wrote is under its data key; what the partner wrote came as a JWE to this node
    const open = (jwe: string, ours: boolean) =>
      ours ? decryptAtRest(jwe, this.dataKey) : decryptPii(jwe, this.keys.encryption.privateKey);
    const secret = (await open(
      service.pii,
      service.direction === 'delivered',
    )) as ServiceDeliveredPiiV1;
    const acknowledgement = service.acknowledgementPii
      ? ((await open(
          service.acknowledgementPii,
          service.direction === 'received',
        )) as ServiceAcknowledgedPiiV1)
      : undefined;
    await this.accessLog.recordReads(reason, 'service', [id]);
    return {
      ...view,
      person: secret.person ?? null,
      details: secret.details ?? null,
      remark: acknowledgement?.remark ?? null,
    };
  }

  private async views(manager: EntityManager, rows: ServiceReport[]): Promise<ServiceView[]> {
    const known = await deliveries(
      manager,
      rows.flatMap((s) =>
        s.direction === 'delivered' ? [s.deliveredMessageId] : [s.acknowledgementMessageId],
      ),
    );
    return rows.map((s) => {
      const delivery =
        s.direction === 'delivered' ? (known.get(s.deliveredMessageId) ?? null) : null;
      const acknowledgementDelivery =
        s.direction === 'received' && s.acknowledgementMessageId
          ? (known.get(s.acknowledgementMessageId) ?? null)
          : null;
      return {
        id: s.id,
        direction: s.direction,
        peer: s.peer,
        agreementId: s.agreementId,
        serviceType: s.serviceType,
        domain: s.domain,
        deliveredOn: s.deliveredOn,
        provider: s.provider,
        entitlementId: s.entitlementId,
        thread: serviceThread(s),
        reportedAt: new Date(s.createdAt).toISOString(),
        delivery,
        acknowledged: isAcknowledged(s, acknowledgementDelivery?.state ?? null),
        acknowledgement:
          s.acknowledgedAt !== null && s.acknowledgementMessageId
            ? {
                at: new Date(s.acknowledgedAt).toISOString(),
                by: s.acknowledgedBy,
                messageId: s.acknowledgementMessageId,
                delivery: acknowledgementDelivery,
              }
            : null,
      };
    });
  }
}

/** An entitlement as the rules see it, given where the reports paying entitlements stand. */
export function entitlementFacts(
  e: BenefitEntitlement,
  reports: Map<string, Delivery>,
): EntitlementFacts {
  return {
    domain: e.domain,
    personIndex: e.personIndex,
    serviceId: e.serviceId,
    serviceDelivery: (e.serviceId && reports.get(e.serviceId)?.state) || null,
  };
}

function notFound(id: string): ProblemError {
  return new ProblemError(404, 'SERVICE_NOT_FOUND', 'No such service', `no service ${id}`);
}
