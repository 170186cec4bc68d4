import { EntityManager } from 'typeorm';
import { TopicPosition } from '../entities/exchange.entities';

/**
 * Moves a read position forward (never back), inside the caller's
 * transaction: concurrent transactions (relay streams, inbox chunks during a
 * rebalance) each leave the furthest position.
 */
export async function advanceTopicPosition(
  manager: EntityManager,
  topic: string,
  partition: number,
  nextOffset: number,
): Promise<void> {
  if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) {
    throw new Error(`not an offset: ${nextOffset}`);
  }
  await manager
    .createQueryBuilder()
    .insert()
    .into(TopicPosition)
    .values({ topic, partition, nextOffset: 0 })
    .orIgnore()
    .execute();
  await manager
    .createQueryBuilder()
    .update(TopicPosition)
    .set({
      nextOffset: () =>
        `CASE WHEN next_offset < ${nextOffset} THEN ${nextOffset} ELSE next_offset END`,
    })
    .where('topic = :topic AND partition = :partition', { topic, partition })
    .execute();
}
