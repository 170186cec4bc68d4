import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, Not } from 'typeorm';
import { DeadLetter, OutboxMessage, StreamState } from '@yipanqi/exchange';
import { AppMetrics, NodeSnapshot } from '@yipanqi/observability';
import { CampaignImport } from '../campaign-import/campaign-import.entities';
import { Task } from '../tasks/task.entities';
import { isTerminal, TASK_STATES } from '../tasks/task-rules';

/** Feeds the node's gauges from its database at scrape time (counts and node codes only). */
@Injectable()
export class NodeMetrics {
  constructor(
    metrics: AppMetrics,
    private readonly dataSource: DataSource,
  ) {
    metrics.readSnapshotFrom(() => this.snapshot());
  }

  async snapshot(): Promise<NodeSnapshot> {
    const db = this.dataSource;
    const now = Date.now();
    const outbox = await db
      .getRepository(OutboxMessage)
      .createQueryBuilder('o')
      .select('o.peer', 'peer')
      .addSelect('COUNT(*)', 'depth')
      .addSelect('MIN(o.created_at)', 'oldest')
      .where('o.sent_at IS NULL')
      .groupBy('o.peer')
      .getRawMany<{ peer: string; depth: string; oldest: string }>();
    const stalled = await db
      .getRepository(StreamState)
      .find({ select: { direction: true }, where: { stalledReason: Not(IsNull()) } });
    const open = TASK_STATES.filter((s) => !isTerminal(s));
    const overdue = await db.getRepository(Task).find({
      select: { peer: true },
      where: { state: In(open), dueAt: LessThan(now) },
    });
    const imports = await db.getRepository(CampaignImport).find({
      select: { rowsValid: true, rowsInvalid: true, rowsCommitted: true },
    });
    const count = <T>(items: T[], key: (t: T) => string) => {
      const counts = new Map<string, number>();
      for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
      return [...counts];
    };
    const sum = (k: 'rowsValid' | 'rowsInvalid' | 'rowsCommitted') =>
      imports.reduce((total, i) => total + Number(i[k]), 0);
    return {
      outbox: outbox.map((o) => ({
        peer: o.peer,
        depth: Number(o.depth),
        oldestAgeSeconds: Math.max(0, (now - Number(o.oldest)) / 1000),
      })),
      deadLetters: await db.getRepository(DeadLetter).countBy({ redrivenAt: IsNull() }),
      divergedStreams: count(stalled, (s) => s.direction).map(([direction, n]) => ({
        direction: direction as 'in' | 'out',
        count: n,
      })),
      overdueTasks: count(overdue, (t) => t.peer).map(([partner, n]) => ({ partner, count: n })),
      importRows: [
        { outcome: 'valid', count: sum('rowsValid') },
        { outcome: 'invalid', count: sum('rowsInvalid') },
        { outcome: 'committed', count: sum('rowsCommitted') },
      ],
      consumerLag: [],
    };
  }
}
