import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class Evaluation1764400900000 implements MigrationInterface {
  name = 'Evaluation1764400900000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'evaluation_rating',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'direction', type: 'varchar', length: '8' },
          { name: 'partner', type: 'varchar', length: '6' },
          { name: 'agreement_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'period_start', type: 'varchar', length: '20' },
          { name: 'period_end', type: 'varchar', length: '20' },
          { name: 'responsiveness', type: 'integer' },
          { name: 'data_quality', type: 'integer' },
          { name: 'cooperation', type: 'integer' },
          { name: 'service_quality', type: 'integer' },
          { name: 'comment', type: 'text', isNullable: true },
          { name: 'rated_by', type: 'varchar', length: '200', isNullable: true },
          { name: 'at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'evaluation_rating',
      new TableIndex({ name: 'ix_evaluation_rating', columnNames: ['direction', 'at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('evaluation_rating');
  }
}
