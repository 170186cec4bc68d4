import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { varcharColumn } from '@yipanqi/persistence';

/** The records of bulk messages received (by record id, their dedup key) and sent (with their outcomes). */
export class BulkRecords1764400040000 implements MigrationInterface {
  name = 'BulkRecords1764400040000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'exchange_inbox_record',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('message_id', 36),
          varcharColumn('from_node', 64),
          varcharColumn('outcome', 16),
          varcharColumn('reason', 32, true),
        ],
        indices: [{ name: 'ix_inbox_record_message', columnNames: ['message_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_outbox_record',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('message_id', 36),
          varcharColumn('peer', 64),
          varcharColumn('outcome', 16, true),
          varcharColumn('reason', 32, true),
        ],
        indices: [{ name: 'ix_outbox_record_message', columnNames: ['message_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('exchange_outbox_record');
    await q.dropTable('exchange_inbox_record');
  }
}
