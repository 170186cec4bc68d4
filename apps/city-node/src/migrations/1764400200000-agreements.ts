import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

export class Agreements1764400200000 implements MigrationInterface {
  name = 'Agreements1764400200000';

  async up(q: QueryRunner): Promise<void> {
    const id = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const ms = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
    await q.createTable(
      new Table({
        name: 'agreement',
        columns: [
          { ...id('id', 36), isPrimary: true },
          id('partner', 6),
          id('my_role', 8),
          id('status', 16),
          { name: 'version', type: 'integer' },
          id('hash', 64),
          ms('created_at'),
          ms('updated_at'),
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
          { ...id('agreement_id', 36), isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { ...id('hash', 64), isPrimary: true },
          { name: 'terms', type: 'text' },
          id('proposer', 6),
          id('state', 16),
          id('offer_message_id', 36, true),
          id('proposer_signature', 128, true),
          id('proposer_key', 64, true),
          id('countersignature', 128, true),
          id('countersigner_key', 64, true),
          ms('created_at'),
          ms('decided_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'agreement_event',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          id('agreement_id', 36),
          id('action', 24),
          id('by', 6),
          { name: 'version', type: 'integer' },
          { name: 'reason', type: 'text' },
          id('message_id', 36, true),
          ms('at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_agreement_event', columnNames: ['agreement_id', 'id'] }),
        ],
      }),
    );
    await q.addColumn('notice', new TableColumn(id('agreement_id', 36, true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('notice', 'agreement_id');
    await q.dropTable('agreement_event');
    await q.dropTable('agreement_version');
    await q.dropTable('agreement');
  }
}
