import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class ApiTokens1764400050000 implements MigrationInterface {
  name = 'ApiTokens1764400050000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_token',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'label', type: 'varchar', length: '200' },
          { name: 'created_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_token');
  }
}

export const API_TOKEN_MIGRATIONS = [ApiTokens1764400050000];
