import { MigrationInterface, QueryRunner, Table } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and PostgreSQL.
export class Campaigns1764500100000 implements MigrationInterface {
  name = 'Campaigns1764500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaign',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'period_start', type: 'bigint' },
          { name: 'period_end', type: 'bigint' },
          { name: 'participants', type: 'text' },
          { name: 'weights', type: 'text', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'created_by', type: 'varchar', length: '200' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'campaign_result',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'campaign_id', type: 'varchar', length: '36' },
          { name: 'as_of', type: 'bigint' },
          { name: 'computed_at', type: 'bigint' },
          { name: 'record', type: 'text' },
          { name: 'published_at', type: 'bigint', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['campaign_id'],
            referencedTableName: 'campaign',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          { name: 'ix_campaign_result_campaign', columnNames: ['campaign_id', 'computed_at'] },
          { name: 'ix_campaign_result_unpublished', columnNames: ['published_at'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('campaign_result');
    await q.dropTable('campaign');
  }
}
