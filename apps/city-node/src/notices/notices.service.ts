import { KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NoticePayloadV1, NoticePiiV1 } from '@yipanqi/contracts';
import { encryptAtRest, encryptPii } from '@yipanqi/crypto';
import {
  assertPayloadSize,
  ExchangeNode,
  PayloadTooLargeError,
  PeerKeys,
  ReceivedMessage,
} from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AgreementsService } from '../agreements/agreements.service';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { Notice } from './notice.entity';
import { SendNoticeDto } from './send-notice.dto';

@Injectable()
export class NoticesService {
  constructor(
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
  ) {}

  /** Records the notice and queues it for the partner in one transaction. */
  async send(dto: SendNoticeDto): Promise<{ id: string }> {
    const partnerKey = this.peers.encryptionKey(dto.to);
    if (!partnerKey) {
      throw new ProblemError(
        422,
        'UNKNOWN_PARTNER',
        'Unknown partner node',
        `no keys for node ${dto.to}`,
      );
    }
    const secret: NoticePiiV1 = { title: dto.title, text: dto.text };
    const [forPartner, forUs] = await Promise.all([
      encryptPii(secret, partnerKey),
      encryptAtRest(secret, this.dataKey),
    ]);
    const payload: NoticePayloadV1 = {
      category: dto.category,
      domain: dto.domain,
      pii: forPartner,
    };
    try {
      assertPayloadSize({ ...payload });
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) throw err;
      throw new ProblemError(
        413,
        'PAYLOAD_TOO_LARGE',
        'Notice too large for the exchange',
        err.message,
      );
    }
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
        pii: forUs,
        createdAt: Date.now(),
      });
      return { id: envelope.id };
    });
  }

  /** A partner's notice, applied inside the inbox transaction. */
  async receive(manager: EntityManager, message: ReceivedMessage): Promise<void> {
    const payload = message.envelope.payload as unknown as NoticePayloadV1;
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

  async list(direction: 'sent' | 'received', limit: number): Promise<Omit<Notice, 'pii'>[]> {
    return this.dataSource.getRepository(Notice).find({
      select: {
        id: true,
        direction: true,
        peer: true,
        agreementId: true,
        category: true,
        domain: true,
        createdAt: true,
      },
      where: { direction },
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }
}
