import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { bigintColumn, integerColumn, varcharColumn } from '@yipanqi/persistence';

/** Read positions kept in the database, and the replies a restored node finds in its sent journal. */
export class SentJournal1764400030000 implements MigrationInterface {
  name = 'SentJournal1764400030000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'exchange_topic_position',
        columns: [
          { ...varcharColumn('topic', 255), isPrimary: true },
          { ...integerColumn('partition'), isPrimary: true },
          bigintColumn('next_offset'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_given_reply',
        columns: [
          { ...varcharColumn('reply_id', 36), isPrimary: true },
          varcharColumn('message_id', 36),
          varcharColumn('type', 64),
          varcharColumn('reason', 32, true),
        ],
        indices: [{ name: 'ix_given_reply_message', columnNames: ['message_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('exchange_given_reply');
    await q.dropTable('exchange_topic_position');
  }
}
