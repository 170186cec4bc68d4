import { ApiProperty } from '@nestjs/swagger';
import { EntityManager, In } from 'typeorm';
import { OutboxMessage } from '@yipanqi/exchange';

/**
 * Where a message this node sent stands, read from its outbox row: not yet
 * published, published and unanswered, or answered by the partner's signed
 * receipt or rejection (DESIGN §4: every flow message gets exactly one).
 */
export class Delivery {
  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiProperty({ enum: ['pending', 'sent', 'receipt', 'rejection'] })
  state!: 'pending' | 'sent' | 'receipt' | 'rejection';

  @ApiProperty({ type: String, nullable: true, description: "the rejection's reason code" })
  reason!: string | null;
}

export function deliveryOf(
  row: Pick<OutboxMessage, 'id' | 'sentAt' | 'answer' | 'answerReason'>,
): Delivery {
  if (row.answer) return { messageId: row.id, state: row.answer, reason: row.answerReason };
  return { messageId: row.id, state: row.sentAt === null ? 'pending' : 'sent', reason: null };
}

/** The delivery of each of these outgoing messages, by message id. */
export async function deliveries(
  manager: EntityManager,
  messageIds: (string | null)[],
): Promise<Map<string, Delivery>> {
  const ids = [...new Set(messageIds.filter((id): id is string => id !== null))];
  const found = new Map<string, Delivery>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await manager.find(OutboxMessage, {
      select: { id: true, sentAt: true, answer: true, answerReason: true },
      where: { id: In(ids.slice(i, i + 500)) },
    });
    for (const row of rows) found.set(row.id, deliveryOf(row));
  }
  return found;
}
