import { EntityManager, In } from 'typeorm';
import { GivenReply } from '../entities/exchange.entities';

/**
 * The replies a restored node had sent to the messages of one inbox
 * transaction (see rejoin/journal-recovery.ts): the inbox decides by the
 * receipt or rejection given, and the outbox hands back a reply already sent
 * instead of making a second one. Only inside the inbox's transaction: what
 * staff do later through the API is new, and goes out as new.
 */
export class ReplayedReplies {
  private readonly used = new Set<string>();

  constructor(private readonly rows: readonly GivenReply[]) {}

  /** the receipt or rejection given to `messageId`, if any */
  answerTo(messageId: string): GivenReply | undefined {
    return this.rows.find(
      (r) => r.messageId === messageId && (r.type === 'receipt' || r.type === 'rejection'),
    );
  }

  /** The oldest reply of `type` to `messageId` not handed back yet: it counts as sent now. */
  take(messageId: string, type: string): GivenReply | undefined {
    const row = this.rows.find(
      (r) => r.messageId === messageId && r.type === type && !this.used.has(r.replyId),
    );
    if (row) this.used.add(row.replyId);
    return row;
  }

  /** Forgets the replies handed back, in the caller's transaction. */
  async settle(manager: EntityManager): Promise<void> {
    if (this.used.size > 0) await manager.delete(GivenReply, { replyId: In([...this.used]) });
  }
}

const NONE = new ReplayedReplies([]);

/** Where the inbox looks them up; no query at all once none is left. */
export class GivenReplies {
  private pending = true;

  async of(manager: EntityManager, messageIds: string[]): Promise<ReplayedReplies> {
    if (!this.pending || messageIds.length === 0) return NONE;
    const rows: GivenReply[] = [];
    for (let i = 0; i < messageIds.length; i += 500) {
      rows.push(
        ...(await manager.find(GivenReply, {
          where: { messageId: In(messageIds.slice(i, i + 500)) },
        })),
      );
    }
    if (rows.length === 0) this.pending = (await manager.count(GivenReply)) > 0;
    return new ReplayedReplies(rows);
  }

  /** after a recovery wrote new ones */
  expect(): void {
    this.pending = true;
  }
}
