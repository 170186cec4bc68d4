import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CertificateIssuedPayloadV1, CertificatePiiV1 } from '@yipanqi/contracts';
import { blindIndex, decryptAtRest, encryptAtRest, encryptPii } from '@yipanqi/crypto';
import { ExchangeNode, MessageRefused, PeerKeys, ReceivedMessage } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AccessLog, AccessReason, assertMayReveal } from '../access-log/access-log';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { assertFitsExchange, partnerKey } from '../exchange/flow-sending';
import { CITY_NODE_CONFIG } from '../tokens';
import { certificateNumber, issueYear, validityProblem } from './certificate-rules';
import { assertSenderRole, deliveriesOf, instant, senderRoleRefusal } from './certificate-store';
import { Certificate, CertificateNumberSequence } from './certificate.entities';
import { CertificateListQuery, IssueCertificateDto } from './certificates.dto';

const ISSUED = 'certificate.issued';

@Injectable()
export class CertificatesService {
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

  /**
   * Numbers the certificate (unless staff give its number), records it
   * encrypted with blind indexes of number and holder, and queues
   * `certificate.issued` for the inflow node — in one transaction.
   */
  async issue(
    dto: IssueCertificateDto,
  ): Promise<{ id: string; number: string; validFrom: string; validUntil: string }> {
    const forPartnerKey = partnerKey(this.peers, dto.to);
    const validity = { validFrom: dto.validFrom, validUntil: dto.validUntil };
    const problem = validityProblem(validity);
    if (problem) {
      throw new ProblemError(422, 'VALIDITY_PERIOD_INVALID', 'Impossible validity', problem);
    }
    const certificateId = uuidv7();
    return this.transactions.run(async (manager) => {
      const readable = { certificateId, ...validity };
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        dto.to,
        ISSUED,
        readable,
        dto.agreementId,
      );
      await assertSenderRole(manager, agreementId, this.me, ISSUED);
      const now = Date.now();
      const number = dto.number ?? (await this.nextNumber(manager, now));
      const numberIndex = blindIndex(this.dataKey, number);
      if (dto.number && (await this.issuedWithIndex(manager, numberIndex))) {
        throw new ProblemError(
          409,
          'CERTIFICATE_NUMBER_TAKEN',
          'Certificate number already issued',
          'this node already issued a certificate with that number',
        );
      }
      const secret: CertificatePiiV1 = {
        number,
        holder: dto.holder,
        maritalStatus: dto.maritalStatus,
        children: dto.children,
      };
      const [forPartner, forUs] = await Promise.all([
        encryptPii(secret, forPartnerKey),
        encryptAtRest(secret, this.dataKey),
      ]);
      const payload: CertificateIssuedPayloadV1 = { ...readable, pii: forPartner };
      assertFitsExchange({ ...payload });
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: dto.to,
        type: ISSUED,
        agreementId,
        correlationId: certificateId,
        payload: { ...payload },
      });
      await manager.insert(Certificate, {
        id: certificateId,
        direction: 'issued',
        issuer: this.me,
        peer: dto.to,
        agreementId,
        messageId: envelope.id,
        numberIndex,
        holderIndex: blindIndex(this.dataKey, dto.holder.idNumber),
        ...validity,
        pii: forUs,
        createdAt: now,
      });
      return { id: certificateId, number, ...validity };
    });
  }

  /**
   * The next free number of this node and year. A number staff gave by hand
   * may already have the form `<node>-<year>-<seq>`: such a number is skipped.
   */
  private async nextNumber(manager: EntityManager, now: number): Promise<string> {
    const year = issueYear(now);
    await manager
      .createQueryBuilder()
      .insert()
      .into(CertificateNumberSequence)
      .values({ year, lastSeq: 0 })
      .orIgnore()
      .execute();
    const query = manager
      .getRepository(CertificateNumberSequence)
      .createQueryBuilder('s')
      .where('s.year = :year', { year });
    // concurrent issues on PostgreSQL serialise on the year's row; SQLite transactions are serial
    if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
    const sequence = await query.getOneOrFail();
    let seq = sequence.lastSeq;
    let number: string;
    do {
      seq += 1;
      number = certificateNumber(this.me, now, seq);
    } while (await this.issuedWithIndex(manager, blindIndex(this.dataKey, number)));
    await manager.update(CertificateNumberSequence, { year }, { lastSeq: seq });
    return number;
  }

  private issuedWithIndex(manager: EntityManager, numberIndex: string): Promise<boolean> {
    return manager.exists(Certificate, { where: { issuer: this.me, numberIndex } });
  }

  /** A certificate the outflow node issued to us, applied inside the inbox transaction. */
  async receive(
    manager: EntityManager,
    message: ReceivedMessage<'certificate.issued'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    const { pii } = message;
    const refuse = (detail: string): never => {
      throw new MessageRefused('SCHEMA_INVALID', detail);
    };
    if (envelope.correlationId !== payload.certificateId) {
      refuse('correlationId must be the certificate id');
    }
    const roleProblem = await senderRoleRefusal(
      manager,
      envelope.agreementId,
      envelope.from,
      ISSUED,
    );
    if (roleProblem) throw new MessageRefused('OUT_OF_SCOPE', roleProblem);
    const problem = validityProblem(payload);
    if (problem) refuse(problem);
    if (await manager.exists(Certificate, { where: { id: payload.certificateId } })) {
      refuse(`certificate ${payload.certificateId} is already known`);
    }
    const numberIndex = blindIndex(this.dataKey, pii.number);
    if (await manager.exists(Certificate, { where: { issuer: envelope.from, numberIndex } })) {
      refuse(`${envelope.from} already issued a certificate with that number`);
    }
    await manager.insert(Certificate, {
      id: payload.certificateId,
      direction: 'received',
      issuer: envelope.from,
      peer: envelope.from,
      agreementId: envelope.agreementId,
      messageId: envelope.id,
      numberIndex,
      holderIndex: blindIndex(this.dataKey, pii.holder.idNumber),
      validFrom: payload.validFrom,
      validUntil: payload.validUntil,
      // under the data key, not as the JWE that arrived: a certificate outlives the node's X25519 key
      pii: await encryptAtRest(pii, this.dataKey),
      createdAt: message.brokerTime,
    });
  }

  /** Issued or received certificates, newest first; personal data only when revealed (and logged). */
  async list(query: CertificateListQuery, reveal: AccessReason | undefined) {
    assertMayReveal(reveal);
    const rows = await this.dataSource.getRepository(Certificate).find({
      where: { direction: query.direction ?? 'received' },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit ?? 100,
    });
    const views = await this.views(rows);
    if (!reveal) return views;
    const details = await Promise.all(rows.map((row) => this.detailsOf(row)));
    await this.accessLog.recordReads(
      reveal,
      'certificate',
      rows.map((r) => r.id),
    );
    return views.map((view, i) => ({ ...view, ...details[i] }));
  }

  /** One certificate with its number, holder and details: a read of personal data, logged. */
  async get(id: string, reason: AccessReason) {
    assertMayReveal(reason);
    const row = await this.dataSource.getRepository(Certificate).findOne({ where: { id } });
    if (!row) {
      throw new ProblemError(
        404,
        'CERTIFICATE_NOT_FOUND',
        'No such certificate',
        `no certificate ${id}`,
      );
    }
    const [view] = await this.views([row]);
    const details = await this.detailsOf(row);
    await this.accessLog.recordReads(reason, 'certificate', [row.id]);
    return { ...view, ...details };
  }

  private async views(rows: Certificate[]) {
    const deliveries = await deliveriesOf(
      this.dataSource.manager,
      rows.filter((r) => r.direction === 'issued').map((r) => r.messageId),
    );
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction,
      issuer: r.issuer,
      peer: r.peer,
      agreementId: r.agreementId,
      validFrom: r.validFrom,
      validUntil: r.validUntil,
      createdAt: instant(r.createdAt),
      messageId: r.messageId,
      ...(r.direction === 'issued' ? { delivery: deliveries.get(r.messageId) ?? null } : {}),
    }));
  }

  private async detailsOf(row: Certificate): Promise<CertificatePiiV1> {
    return (await decryptAtRest(row.pii, this.dataKey)) as CertificatePiiV1;
  }
}
