import { OutboxBrokerTime1764400010000 } from './1764400010000-outbox-broker-time';
import { BoundedEvidence1764400020000 } from './1764400020000-bounded-evidence';
import { SentJournal1764400030000 } from './1764400030000-sent-journal';
import { BulkRecords1764400040000 } from './1764400040000-bulk-records';
import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { serialColumn } from '@yipanqi/persistence';

// Written with TypeORM's Table API so that one migration serves SQLite and PostgreSQL.
const id = (name: string, length: number, extra: Partial<TableColumnOptions> = {}) =>
  ({ name, type: 'varchar', length: String(length), ...extra }) as TableColumnOptions;
const int = (name: string, extra: Partial<TableColumnOptions> = {}) => ({
  name,
  type: 'integer',
  ...extra,
});
const epochMs = (name: string, nullable = false) =>
  ({ name, type: 'bigint', isNullable: nullable }) as TableColumnOptions;
const text = (name: string) => ({ name, type: 'text' }) as TableColumnOptions;
const serial = serialColumn;

export class ExchangeCore1764400000000 implements MigrationInterface {
  name = 'ExchangeCore1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'exchange_outbox',
        columns: [
          serial('position'),
          id('id', 36),
          id('peer', 6),
          int('seq'),
          id('type', 64),
          id('hash', 64),
          text('envelope'),
          epochMs('created_at'),
          epochMs('sent_at', true),
          id('answer', 16, { isNullable: true }),
          id('answer_id', 36, { isNullable: true }),
          id('answer_reason', 32, { isNullable: true }),
        ],
        indices: [
          { name: 'ux_outbox_id', columnNames: ['id'], isUnique: true },
          { name: 'ix_outbox_pending', columnNames: ['sent_at', 'position'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_stream',
        columns: [
          id('peer', 6, { isPrimary: true }),
          id('direction', 3, { isPrimary: true }),
          int('last_seq'),
          id('last_hash', 64, { isNullable: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_inbox',
        columns: [
          id('id', 36, { isPrimary: true }),
          id('sender', 6),
          int('seq'),
          id('type', 64),
          id('hash', 64),
          text('envelope'),
          epochMs('broker_time'),
          id('outcome', 16),
          id('rejection_reason', 32, { isNullable: true }),
          epochMs('received_at'),
        ],
        indices: [{ name: 'ix_inbox_sender_seq', columnNames: ['sender', 'seq'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_rejection',
        columns: [
          serial('id'),
          id('direction', 8),
          id('peer', 6, { isNullable: true }),
          id('message_id', 64, { isNullable: true }),
          id('message_hash', 64, { isNullable: true }),
          id('reason', 32),
          text('detail'),
          { name: 'published', type: 'boolean' },
          epochMs('at'),
        ],
        indices: [{ name: 'ix_rejection_direction', columnNames: ['direction', 'at'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_dead_letter',
        columns: [
          serial('id'),
          id('topic', 255),
          int('partition'),
          id('record_offset', 32),
          text('value'),
          epochMs('broker_time'),
          text('error'),
          epochMs('created_at'),
          epochMs('redriven_at', true),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'exchange_dead_letter',
      'exchange_rejection',
      'exchange_inbox',
      'exchange_stream',
      'exchange_outbox',
    ]) {
      await q.dropTable(table);
    }
  }
}

export const EXCHANGE_MIGRATIONS = [
  ExchangeCore1764400000000,
  OutboxBrokerTime1764400010000,
  BoundedEvidence1764400020000,
  SentJournal1764400030000,
  BulkRecords1764400040000,
];
