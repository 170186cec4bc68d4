import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { epochMsColumn, serialColumn, varcharColumn } from '@yipanqi/persistence';

export class Agreements1764400200000 implements MigrationInterface {
  name = 'Agreements1764400200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'agreement',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('partner', 6),
          varcharColumn('my_role', 8),
          varcharColumn('status', 16),
          { name: 'version', type: 'integer' },
          varcharColumn('hash', 64),
          epochMsColumn('created_at'),
          epochMsColumn('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_agreement_partner', columnNames: ['partner', 'status'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'agreement_version',
        columns: [
          { ...varcharColumn('agreement_id', 36), isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { ...varcharColumn('hash', 64), isPrimary: true },
          { name: 'terms', type: 'text' },
          varcharColumn('proposer', 6),
          varcharColumn('state', 16),
          varcharColumn('offer_message_id', 36, true),
          varcharColumn('proposer_signature', 128, true),
          varcharColumn('proposer_key', 64, true),
          varcharColumn('countersignature', 128, true),
          varcharColumn('countersigner_key', 64, true),
          epochMsColumn('created_at'),
          epochMsColumn('decided_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'agreement_event',
        columns: [
          serialColumn('id'),
          varcharColumn('agreement_id', 36),
          varcharColumn('action', 24),
          varcharColumn('by', 6),
          { name: 'version', type: 'integer' },
          { name: 'reason', type: 'text' },
          varcharColumn('message_id', 36, true),
          epochMsColumn('at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_agreement_event', columnNames: ['agreement_id', 'id'] }),
        ],
      }),
    );
    await q.addColumn('notice', new TableColumn(varcharColumn('agreement_id', 36, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('notice', 'agreement_id');
    await q.dropTable('agreement_event');
    await q.dropTable('agreement_version');
    await q.dropTable('agreement');
  }
}
