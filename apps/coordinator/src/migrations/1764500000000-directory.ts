import { MigrationInterface, QueryRunner, Table } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and PostgreSQL.
export class Directory1764500000000 implements MigrationInterface {
  name = 'Directory1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'directory_entry',
        columns: [
          { name: 'code', type: 'varchar', length: '6', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'entry', type: 'text' },
          { name: 'issued_at', type: 'bigint' },
          { name: 'published_at', type: 'bigint', isNullable: true },
        ],
        indices: [{ name: 'ix_directory_entry_unpublished', columnNames: ['published_at'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'directory_registration',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'code', type: 'varchar', length: '6' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'signing_key', type: 'varchar', length: '43' },
          { name: 'encryption_key', type: 'varchar', length: '43' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'bigint' },
          { name: 'decided_at', type: 'bigint', isNullable: true },
          { name: 'decided_by', type: 'varchar', length: '200', isNullable: true },
          { name: 'note', type: 'varchar', length: '500', isNullable: true },
        ],
        indices: [{ name: 'ix_directory_registration_code', columnNames: ['code', 'status'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('directory_registration');
    await q.dropTable('directory_entry');
  }
}
