import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { NoticePayloadV1, NoticePiiV1 } from '@yipanqi/contracts';
import { decryptAtRest, decryptPii, encryptAtRest, encryptPii, NodeKeys } from '@yipanqi/crypto';
import { ExchangeNode, PeerKeys, ReceivedMessage } from '@yipanqi/exchange';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AccessLog, AccessReason, assertMayReveal } from '../access-log/access-log';
import { AgreementsService } from '../agreements/agreements.service';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { assertFitsExchange, findForUpdate, partnerKey } from '../exchange/flow-sending';
import { problemError } from '../services/flow-support';
import { NODE_KEYS } from '../tokens';
import { deliveries } from './delivery';
import { noticeAcknowledgeProblem } from './notice-rules';
import { Notice } from './notice.entity';
import { ListedNoticeView, NoticeView, RevealedNoticeView } from './notice.views';
import { ListNoticesQuery, SendNoticeDto } from './send-notice.dto';

@Injectable()
export class NoticesService {
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

  /** Records the notice and queues it for the partner in one transaction. */
  async send(dto: SendNoticeDto): Promise<{ id: string }> {
    const forPartner = partnerKey(this.peers, dto.to);
    const secret: NoticePiiV1 = { title: dto.title, text: dto.text };
    const [sealed, atRest] = await Promise.all([
      encryptPii(secret, forPartner),
      encryptAtRest(secret, this.dataKey),
    ]);
    const payload: NoticePayloadV1 = {
      category: dto.category,
      domain: dto.domain,
      pii: sealed,
    };
    assertFitsExchange({ ...payload });
    return this.transactions.run(async (manager) => {
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        dto.to,
        'notice',
        { ...payload },
        dto.agreementId,
      );
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: dto.to,
        type: 'notice',
        agreementId,
        payload: { ...payload },
      });
      await manager.insert(Notice, {
        id: envelope.id,
        direction: 'sent',
        peer: dto.to,
        agreementId,
        category: dto.category,
        domain: dto.domain,
        pii: atRest,
        createdAt: Date.now(),
      });
      return { id: envelope.id };
    });
  }

  /** A partner's notice, applied inside the inbox transaction. */
  async receive(manager: EntityManager, message: ReceivedMessage<'notice'>): Promise<void> {
    const { payload } = message.envelope;
    await manager.insert(Notice, {
      id: message.envelope.id,
      direction: 'received',
      peer: message.envelope.from,
      agreementId: message.envelope.agreementId,
      category: payload.category,
      domain: payload.domain,
      pii: payload.pii,
      createdAt: message.brokerTime,
    });
  }

  /**
   * Staff record that they read a received notice: who and when. Local only —
   * the signed receipt already answered the notice on the wire.
   */
  async acknowledge(id: string, principal: Principal): Promise<NoticeView> {
    const acknowledged = await this.transactions.run(async (manager) => {
      const notice = await findForUpdate(manager, Notice, { id });
      if (!notice) throw notFound(id);
      const problem = noticeAcknowledgeProblem(notice);
      if (problem) throw problemError(problem);
      const change = {
        acknowledgedAt: Date.now(),
        acknowledgedByToken: principal.tokenId,
        acknowledgedBy: principal.label,
      };
      await manager.update(Notice, { id }, change);
      return { ...notice, ...change };
    });
    const [view] = await this.views([acknowledged]);
    return view;
  }

  /** Newest first; titles only when revealed, after the reads are logged. */
  async list(
    query: ListNoticesQuery,
    reveal: AccessReason | undefined,
  ): Promise<ListedNoticeView[]> {
    assertMayReveal(reveal);
    const rows = await this.dataSource.getRepository(Notice).find({
      where: {
        direction: query.direction ?? 'received',
        ...(query.acknowledged === undefined
          ? {}
          : { acknowledgedAt: query.acknowledged === 'true' ? Not(IsNull()) : IsNull() }),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit ?? 100,
    });
    const views = await this.views(rows);
    if (!reveal) return views;
    const secrets = await Promise.all(rows.map((row) => this.secretOf(row)));
    await this.accessLog.recordReads(
      reveal,
      'notice',
      rows.map((r) => r.id),
    );
    return views.map((view, i) => ({ ...view, title: secrets[i].title }));
  }

  /** One notice with its title and text, after the read is logged. */
  async get(id: string, reason: AccessReason): Promise<RevealedNoticeView> {
    const notice = await this.dataSource.getRepository(Notice).findOne({ where: { id } });
    if (!notice) throw notFound(id);
    const [view] = await this.views([notice]);
    const secret = await this.secretOf(notice);
    await this.accessLog.recordReads(reason, 'notice', [id]);
    return { ...view, title: secret.title, text: secret.text };
  }

  // sent notices are under this node's data key; received ones came as a JWE to this node
  private async secretOf(notice: Notice): Promise<NoticePiiV1> {
    return (
      notice.direction === 'sent'
        ? await decryptAtRest(notice.pii, this.dataKey)
        : await decryptPii(notice.pii, this.keys.encryption.privateKey)
    ) as NoticePiiV1;
  }

  private async views(rows: Notice[]): Promise<NoticeView[]> {
    const sent = await deliveries(
      this.dataSource.manager,
      rows.map((n) => (n.direction === 'sent' ? n.id : null)),
    );
    return rows.map((n) => ({
      id: n.id,
      direction: n.direction,
      peer: n.peer,
      agreementId: n.agreementId,
      category: n.category,
      domain: n.domain,
      createdAt: n.createdAt,
      delivery: sent.get(n.id) ?? null,
      acknowledgedAt: n.acknowledgedAt,
      acknowledgedBy: n.acknowledgedBy,
    }));
  }
}

function notFound(id: string): ProblemError {
  return new ProblemError(404, 'NOTICE_NOT_FOUND', 'No such notice', `no notice ${id}`);
}
