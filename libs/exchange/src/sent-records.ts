import { EntityManager, IsNull } from 'typeorm';
import { Envelope, isBulkType } from '@yipanqi/contracts';
import { OutboxRecord } from './entities/exchange.entities';
import { insertRows } from '@yipanqi/persistence';

/** Rows per INSERT: inside both databases' bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;

/**
 * The records of the bulk messages this node sends (DESIGN §3 "Bulk form"),
 * each with what its recipient made of it once the receipt is in: the
 * per-record view a bulk's single outbox row cannot give.
 */
export async function trackSentRecords(
  manager: EntityManager,
  envelopes: readonly Envelope[],
): Promise<void> {
  const rows: OutboxRecord[] = [];
  for (const envelope of envelopes) {
    if (!isBulkType(envelope.type)) continue;
    const { records } = envelope.payload;
    if (!Array.isArray(records)) continue;
    const items: readonly unknown[] = records;
    for (const r of items) {
      if (typeof r !== 'object' || r === null || !('id' in r) || typeof r.id !== 'string') continue;
      rows.push({
        id: r.id,
        messageId: envelope.id,
        peer: envelope.to,
        outcome: null,
        reason: null,
      });
    }
  }
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await insertRows(manager, OutboxRecord, rows.slice(i, i + ROWS_PER_STATEMENT));
  }
}

/** What a partner's answer to one of our bulks says of its records. */
export interface RecordAnswer {
  peer: string;
  messageId: string;
  /** a rejection's reason refuses every record; a receipt's outcomes say per record */
  rejectedFor: string | null;
  refused: readonly { id: string; reason: string | null }[];
}

/** Records the outcomes; only records still without one (the first answer counts). */
export async function answerSentRecords(manager: EntityManager, a: RecordAnswer): Promise<void> {
  const unanswered = { messageId: a.messageId, peer: a.peer, outcome: IsNull() };
  if (a.rejectedFor !== null) {
    await manager.update(OutboxRecord, unanswered, { outcome: 'refused', reason: a.rejectedFor });
    return;
  }
  for (const r of a.refused) {
    await manager.update(
      OutboxRecord,
      { ...unanswered, id: r.id },
      { outcome: 'refused', reason: r.reason },
    );
  }
  await manager.update(OutboxRecord, unanswered, { outcome: 'accepted' });
}
