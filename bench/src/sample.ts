import { randomUUID } from 'node:crypto';
import { Envelope, NoticePayloadV1, UnsignedEnvelope } from '@yipanqi/contracts';
import { encryptPii, NodeKeys } from '@yipanqi/crypto';
import { signEnvelope } from '@yipanqi/exchange';

/** The two cities of the end-to-end run: an inflow city notifies an outflow city. */
export const SENDER = '441300';
export const RECEIVER = '511500';

/**
 * What every benchmark notice says. A realistic 信息通报 about a person: a short
 * title and a few sentences (≈ 600 UTF-8 bytes of Chinese text), so the
 * envelope carries a JWE of the size real traffic has.
 */
export const NOTICE = {
  category: 'person',
  domain: 'information-exchange',
  title: '流动人口信息通报：张某某现居惠州市惠城区',
  text:
    '张某某，女，户籍地宜宾市翠屏区，已于本月在惠州市惠城区办理居住证，' +
    '现居住于江北街道某社区，联系电话已登记。本人已婚，育有一孩，' +
    '孕产期服务和避孕节育服务由流入地提供，请户籍地核对婚育情况并在十个工作日内回复。' +
    '如需补充材料，请通过协作平台联系惠城区流动人口服务中心。',
} as const;

/** POST /notices body for the notice above. */
export function noticeRequestBody(): string {
  return JSON.stringify({ to: RECEIVER, ...NOTICE });
}

/**
 * A notice envelope as the sender's outbox builds it (Outbox.enqueueAll), before
 * signing: pii encrypted to the recipient, numbered and chained.
 */
export async function unsignedNotice(
  recipient: NodeKeys,
  seq: number,
  prevHash: string | null,
): Promise<UnsignedEnvelope> {
  const payload: NoticePayloadV1 = {
    category: NOTICE.category,
    domain: NOTICE.domain,
    pii: await encryptPii(
      { title: NOTICE.title, text: NOTICE.text },
      recipient.encryption.publicKey,
    ),
  };
  return {
    id: randomUUID(),
    type: 'notice',
    v: 1,
    from: SENDER,
    to: RECEIVER,
    agreementId: null,
    correlationId: null,
    causationId: null,
    seq,
    prevHash,
    occurredAt: new Date().toISOString(),
    payload: { ...payload },
  };
}

/**
 * The same, signed. Used for its size (raw Kafka baseline) and as input of the
 * crypto measurement.
 */
export async function buildNoticeEnvelope(
  sender: NodeKeys,
  recipient: NodeKeys,
  seq: number,
  prevHash: string | null,
): Promise<Envelope> {
  return signEnvelope(await unsignedNotice(recipient, seq, prevHash), sender.signing.privateKey);
}

/** The receipt the recipient sends back for `notice` (InboxProcessor: batch.answer). */
export function buildReceiptEnvelope(
  notice: Envelope,
  noticeHash: string,
  recipient: NodeKeys,
  seq: number,
  prevHash: string | null,
): Envelope {
  return signEnvelope(
    {
      id: randomUUID(),
      type: 'receipt',
      v: 1,
      from: RECEIVER,
      to: SENDER,
      agreementId: notice.agreementId,
      correlationId: notice.correlationId,
      causationId: notice.id,
      seq,
      prevHash,
      occurredAt: new Date().toISOString(),
      payload: { messageId: notice.id, messageHash: noticeHash, brokerTime: Date.now() },
    },
    recipient.signing.privateKey,
  );
}
