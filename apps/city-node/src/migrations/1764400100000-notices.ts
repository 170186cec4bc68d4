import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class Notices1764400100000 implements MigrationInterface {
  name = 'Notices1764400100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'notice',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'direction', type: 'varchar', length: '8' },
          { name: 'peer', type: 'varchar', length: '6' },
          { name: 'category', type: 'varchar', length: '16' },
          { name: 'domain', type: 'varchar', length: '32' },
          { name: 'pii', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('notice');
  }
}
