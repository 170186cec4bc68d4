import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { serialColumn } from '@yipanqi/persistence';

export class AccessLog1764400300000 implements MigrationInterface {
  name = 'AccessLog1764400300000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'personal_data_access',
        columns: [
          serialColumn('id'),
          { name: 'at', type: 'bigint' },
          { name: 'token_id', type: 'varchar', length: '64' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'label', type: 'varchar', length: '200' },
          { name: 'record_type', type: 'varchar', length: '32' },
          { name: 'record_id', type: 'varchar', length: '64' },
          { name: 'purpose', type: 'varchar', length: '200' },
        ],
      }),
    );
    await q.createIndex(
      'personal_data_access',
      new TableIndex({ columnNames: ['record_type', 'record_id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('personal_data_access');
  }
}
