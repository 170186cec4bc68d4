import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  VerificationAnsweredPayloadV1,
  VerificationPiiV1,
  VerificationRequestedPayloadV1,
  VerificationResult,
} from '@yipanqi/contracts';
import { blindIndex, decryptAtRest, encryptAtRest, encryptPii } from '@yipanqi/crypto';
import { ExchangeNode, MessageRefused, PeerKeys, ReceivedMessage } from '@yipanqi/exchange';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AccessLog, AccessReason, assertMayReveal } from '../access-log/access-log';
import { DEFAULT_SLA } from '../agreements/agreement-rules';
import { agreementState } from '../agreements/agreement-store';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { partnerKey } from '../exchange/flow-sending';
import { CITY_NODE_CONFIG } from '../tokens';
import { automaticResult, isOverdue, verificationDueAt } from './certificate-rules';
import { assertSenderRole, deliveriesOf, instant, senderRoleRefusal } from './certificate-store';
import { Certificate, CertificateVerification } from './certificate.entities';
import {
  AnswerVerificationDto,
  RequestVerificationDto,
  VerificationListQuery,
  VerificationQueueQuery,
} from './certificates.dto';

const REQUESTED = 'certificate.verify.requested';
const ANSWERED = 'certificate.verify.answered';

/**
 * Verifications (验证) of certificates: the inflow node asks, the outflow node
 * answers from its own records at once when it knows the number, otherwise
 * its staff answer by the agreement's response SLA.
 */
@Injectable()
export class VerificationsService {
  private readonly me: string;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly accessLog: AccessLog,
  ) {
    this.me = config.nodeCode;
  }

  /** Records the request and queues `certificate.verify.requested` for the outflow node. */
  async request(dto: RequestVerificationDto): Promise<{ id: string }> {
    const forPartnerKey = partnerKey(this.peers, dto.to);
    const verificationId = uuidv7();
    const secret: VerificationPiiV1 = {
      certificateNumber: dto.certificateNumber,
      idNumber: dto.idNumber,
    };
    const [forPartner, forUs] = await Promise.all([
      encryptPii(secret, forPartnerKey),
      encryptAtRest(secret, this.dataKey),
    ]);
    const payload: VerificationRequestedPayloadV1 = { verificationId, pii: forPartner };
    return this.transactions.run(async (manager) => {
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        dto.to,
        REQUESTED,
        { ...payload },
        dto.agreementId,
      );
      await assertSenderRole(manager, agreementId, this.me, REQUESTED);
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: dto.to,
        type: REQUESTED,
        agreementId,
        correlationId: verificationId,
        payload: { ...payload },
      });
      await manager.insert(CertificateVerification, {
        id: verificationId,
        direction: 'sent',
        peer: dto.to,
        agreementId,
        requestMessageId: envelope.id,
        requestedAt: Date.now(),
        dueAt: null,
        certificateId: null,
        status: 'pending',
        result: null,
        answeredBy: null,
        answererToken: null,
        answeredAt: null,
        answerMessageId: null,
        pii: forUs,
      });
      return { id: verificationId };
    });
  }

  /**
   * A request from the inflow node, inside the inbox transaction: answered
   * at once when the number is one of ours, otherwise queued for staff with
   * its due time.
   */
  async onRequested(
    manager: EntityManager,
    message: ReceivedMessage<'certificate.verify.requested'>,
  ): Promise<void> {
    const { envelope, brokerTime } = message;
    const { payload } = envelope;
    const asked = message.pii;
    if (envelope.correlationId !== payload.verificationId) {
      throw new MessageRefused('SCHEMA_INVALID', 'correlationId must be the verification id');
    }
    const roleProblem = await senderRoleRefusal(
      manager,
      envelope.agreementId,
      envelope.from,
      REQUESTED,
    );
    if (roleProblem) throw new MessageRefused('OUT_OF_SCOPE', roleProblem);
    if (await manager.exists(CertificateVerification, { where: { id: payload.verificationId } })) {
      throw new MessageRefused(
        'SCHEMA_INVALID',
        `verification ${payload.verificationId} is already known`,
      );
    }
    const certificate = await manager.findOne(Certificate, {
      where: { issuer: this.me, numberIndex: blindIndex(this.dataKey, asked.certificateNumber) },
    });
    const result = automaticResult(
      certificate ?? undefined,
      certificate?.holderIndex === blindIndex(this.dataKey, asked.idNumber),
      brokerTime,
    );
    const agreement = await agreementState(manager, envelope.agreementId);
    const responseHours = agreement?.terms.sla.responseHours ?? DEFAULT_SLA.responseHours;
    const verification: CertificateVerification = {
      id: payload.verificationId,
      direction: 'received',
      peer: envelope.from,
      agreementId: envelope.agreementId,
      requestMessageId: envelope.id,
      requestedAt: brokerTime,
      dueAt: verificationDueAt(brokerTime, responseHours),
      certificateId: certificate?.id ?? null,
      status: 'pending',
      result: null,
      answeredBy: null,
      answererToken: null,
      answeredAt: null,
      answerMessageId: null,
      // under the data key like everything this node keeps: the queue outlives its X25519 key
      pii: await encryptAtRest(asked, this.dataKey),
    };
    if (result) {
      const answer = await this.sendAnswer(manager, verification, result, 'automatic');
      Object.assign(verification, answer);
    }
    await manager.insert(CertificateVerification, verification);
  }

  /** The outflow node's answer to one of our requests, inside the inbox transaction. */
  async onAnswered(
    manager: EntityManager,
    message: ReceivedMessage<'certificate.verify.answered'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    const refuse = (detail: string): never => {
      throw new MessageRefused('SCHEMA_INVALID', detail);
    };
    if (envelope.correlationId !== payload.verificationId) {
      refuse('correlationId must be the verification id');
    }
    const verification = await manager.findOne(CertificateVerification, {
      where: { id: payload.verificationId, direction: 'sent', peer: envelope.from },
    });
    if (!verification) {
      return refuse(`no verification ${payload.verificationId} was requested of ${envelope.from}`);
    }
    if (verification.status === 'answered') {
      refuse(`verification ${verification.id} is already answered`);
    }
    if (envelope.causationId !== verification.requestMessageId) {
      refuse('causationId must be the envelope id of the request');
    }
    await manager.update(
      CertificateVerification,
      { id: verification.id },
      {
        status: 'answered',
        result: payload.result,
        answeredBy: payload.answeredBy,
        answeredAt: message.brokerTime,
        answerMessageId: envelope.id,
      },
    );
  }

  /** Staff answer a queued request; a second answer is refused (409) and nothing is sent. */
  async answer(id: string, dto: AnswerVerificationDto, principal: Principal) {
    return this.transactions.run(async (manager) => {
      const verification = await manager.findOne(CertificateVerification, {
        where: { id, direction: 'received' },
      });
      if (!verification) {
        throw new ProblemError(
          404,
          'VERIFICATION_NOT_FOUND',
          'No such verification request',
          `no verification ${id} was asked of this node`,
        );
      }
      const alreadyAnswered = () =>
        new ProblemError(
          409,
          'VERIFICATION_ALREADY_ANSWERED',
          'Verification already answered',
          `verification ${id} was answered ${verification.answeredBy ?? ''}`.trim(),
        );
      if (verification.status === 'answered') throw alreadyAnswered();
      const answer = await this.sendAnswer(manager, verification, dto.result, 'staff');
      // a concurrent answer (another replica, a double click) may have committed meanwhile
      const updated = await manager.update(
        CertificateVerification,
        { id, status: 'pending' },
        { ...answer, answererToken: principal.tokenId },
      );
      if (updated.affected !== 1) throw alreadyAnswered();
      const [view] = await this.views(manager, [{ ...verification, ...answer }]);
      return view;
    });
  }

  private async sendAnswer(
    manager: EntityManager,
    verification: CertificateVerification,
    result: VerificationResult,
    answeredBy: VerificationAnsweredPayloadV1['answeredBy'],
  ): Promise<
    Pick<
      CertificateVerification,
      'status' | 'result' | 'answeredBy' | 'answeredAt' | 'answerMessageId'
    >
  > {
    const payload: VerificationAnsweredPayloadV1 = {
      verificationId: verification.id,
      result,
      answeredBy,
    };
    // staff answer later: the agreement must still be in force then; an automatic
    // answer travels in the same transaction that admitted the request under it
    const agreementId =
      answeredBy === 'staff'
        ? await this.agreements.agreementForFlow(
            manager,
            verification.peer,
            ANSWERED,
            { ...payload },
            verification.agreementId ?? undefined,
          )
        : verification.agreementId;
    const envelope = await this.exchange.outbox.enqueue(manager, {
      to: verification.peer,
      type: ANSWERED,
      agreementId,
      correlationId: verification.id,
      causationId: verification.requestMessageId,
      payload: { ...payload },
    });
    return {
      status: 'answered',
      result,
      answeredBy,
      answeredAt: Date.now(),
      answerMessageId: envelope.id,
    };
  }

  /** Requests sent or received, newest first; number and ID number only when revealed (and logged). */
  async list(query: VerificationListQuery, reveal: AccessReason | undefined) {
    assertMayReveal(reveal);
    const rows = await this.dataSource.getRepository(CertificateVerification).find({
      where: {
        direction: query.direction ?? 'received',
        ...(query.status ? { status: query.status } : {}),
      },
      order: { requestedAt: 'DESC', id: 'DESC' },
      take: query.limit ?? 100,
    });
    return this.revealed(rows, await this.views(this.dataSource.manager, rows), reveal);
  }

  /** Received requests waiting for staff, the most urgent first. */
  async queue(query: VerificationQueueQuery, reveal: AccessReason | undefined) {
    assertMayReveal(reveal);
    const rows = await this.dataSource.getRepository(CertificateVerification).find({
      where: { direction: 'received', status: 'pending' },
      order: { dueAt: 'ASC', id: 'ASC' },
      take: query.limit ?? 100,
    });
    return this.revealed(rows, await this.views(this.dataSource.manager, rows), reveal);
  }

  private async revealed<V extends object>(
    rows: CertificateVerification[],
    views: V[],
    reveal: AccessReason | undefined,
  ) {
    if (!reveal) return views;
    const asked = await Promise.all(
      rows.map(async (row) => (await decryptAtRest(row.pii, this.dataKey)) as VerificationPiiV1),
    );
    await this.accessLog.recordReads(
      reveal,
      'verification',
      rows.map((r) => r.id),
    );
    return views.map((view, i) => ({
      ...view,
      certificateNumber: asked[i].certificateNumber,
      idNumber: asked[i].idNumber,
    }));
  }

  private async views(manager: EntityManager, rows: CertificateVerification[]) {
    const now = Date.now();
    const deliveries = await deliveriesOf(
      manager,
      rows.filter((r) => r.direction === 'sent').map((r) => r.requestMessageId),
    );
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction,
      peer: r.peer,
      agreementId: r.agreementId,
      status: r.status,
      result: r.result,
      answeredBy: r.answeredBy,
      requestedAt: instant(r.requestedAt),
      answeredAt: instant(r.answeredAt),
      dueAt: instant(r.dueAt),
      overdue: r.status === 'pending' && r.dueAt !== null && isOverdue(r.dueAt, now),
      certificateId: r.certificateId,
      requestMessageId: r.requestMessageId,
      answerMessageId: r.answerMessageId,
      ...(r.direction === 'sent' ? { delivery: deliveries.get(r.requestMessageId) ?? null } : {}),
    }));
  }
}
