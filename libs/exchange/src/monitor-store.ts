import { DataSource, In, IsNull, LessThan, Not } from 'typeorm';
import { ANSWER_TYPES } from '@yipanqi/contracts';
import {
  DeadLetter,
  DropCount,
  DroppedRecord,
  OutboxMessage,
  RejectionRecord,
  StreamState,
} from './entities/exchange.entities';

/** One page of a list that is read newest first; `next` is the `before` of the next page. */
export interface Page<T> {
  items: T[];
  next: number | null;
}

/** A dead letter as a list shows it: bounded, without the kept bytes (GET one for those). */
export type DeadLetterSummary = Omit<DeadLetter, 'head'>;

/** What the exchange monitor reads: the exchange's tables, in one place. */
export class MonitorStore {
  constructor(private readonly dataSource: DataSource) {}

  streams(): Promise<StreamState[]> {
    return this.dataSource
      .getRepository(StreamState)
      .find({ order: { peer: 'ASC', direction: 'ASC' } });
  }

  /** Incoming streams that diverged from their sender and have not advanced since. */
  stalledStreams(): Promise<StreamState[]> {
    return this.dataSource
      .getRepository(StreamState)
      .createQueryBuilder('s')
      .where('s.direction = :in', { in: 'in' })
      .andWhere('s.stalled_reason IS NOT NULL')
      .orderBy('s.peer')
      .getMany();
  }

  /**
   * `pending`: not yet published. `unanswered`: published and still awaiting
   * the partner's receipt or rejection — what an auditor replaying the log
   * finds awaiting an answer (or UNANSWERED once the window passed). This
   * node's own receipts and rejections are never answered, so they are not
   * counted: they would never leave the figure.
   */
  async outbox() {
    const repo = this.dataSource.getRepository(OutboxMessage);
    const pending = await repo.count({ where: { sentAt: IsNull() } });
    const unanswered = await repo.count({
      where: { sentAt: Not(IsNull()), answer: IsNull(), type: Not(In([...ANSWER_TYPES])) },
    });
    const oldest = await repo.find({
      select: { id: true, peer: true, seq: true, type: true, createdAt: true },
      where: { sentAt: IsNull() },
      order: { position: 'ASC' },
      take: 20,
    });
    return { pending, unanswered, oldest };
  }

  async rejections(
    direction: 'sent' | 'received',
    limit: number,
    before?: number,
  ): Promise<Page<RejectionRecord>> {
    const items = await this.dataSource.getRepository(RejectionRecord).find({
      where: { direction, ...(before !== undefined ? { id: LessThan(before) } : {}) },
      order: { id: 'DESC' },
      take: limit,
    });
    return page(items, limit);
  }

  async deadLetters(limit: number, before?: number): Promise<Page<DeadLetterSummary>> {
    const items = await this.dataSource.getRepository(DeadLetter).find({
      select: {
        id: true,
        topic: true,
        partition: true,
        offset: true,
        key: true,
        size: true,
        sha256: true,
        headers: true,
        messageId: true,
        brokerTime: true,
        error: true,
        createdAt: true,
        redrivenAt: true,
      },
      where: before !== undefined ? { id: LessThan(before) } : {},
      order: { id: 'DESC' },
      take: limit,
    });
    // a handler's error can be a long stack: the list shows its start
    for (const item of items) item.error = item.error.slice(0, 500);
    return page(items, limit);
  }

  deadLetter(id: number): Promise<DeadLetter | null> {
    return this.dataSource.getRepository(DeadLetter).findOne({ where: { id } });
  }

  dropCounts(): Promise<DropCount[]> {
    return this.dataSource.getRepository(DropCount).find({ order: { lastAt: 'DESC' }, take: 200 });
  }

  async droppedRecords(limit: number, before?: number): Promise<Page<DroppedRecord>> {
    const items = await this.dataSource.getRepository(DroppedRecord).find({
      where: before !== undefined ? { id: LessThan(before) } : {},
      order: { id: 'DESC' },
      take: limit,
    });
    return page(items, limit);
  }
}

function page<T extends { id: number }>(items: T[], limit: number): Page<T> {
  return { items, next: items.length === limit ? items[items.length - 1].id : null };
}
