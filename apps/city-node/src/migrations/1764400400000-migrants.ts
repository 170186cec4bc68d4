import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class Migrants1764400400000 implements MigrationInterface {
  name = 'Migrants1764400400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'migrant',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'side', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'inflow_node', type: 'varchar', length: '6' },
          { name: 'outflow_node', type: 'varchar', length: '6' },
          { name: 'peer', type: 'varchar', length: '6' },
          { name: 'agreement_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'household_division', type: 'varchar', length: '6' },
          { name: 'arrived_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'left_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'next_node', type: 'varchar', length: '6', isNullable: true },
          { name: 'previous_record_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'arrival_record_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'campaign_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'id_index', type: 'varchar', length: '64' },
          { name: 'name_index', type: 'varchar', length: '64' },
          { name: 'pii', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex('migrant', new TableIndex({ columnNames: ['id_index'] }));
    await q.createIndex('migrant', new TableIndex({ columnNames: ['name_index'] }));
    await q.createIndex('migrant', new TableIndex({ columnNames: ['status', 'arrived_on'] }));
    // One active registration per person, even when two requests race (PostgreSQL).
    await q.createIndex(
      'migrant',
      new TableIndex({
        name: 'UQ_migrant_registered_person',
        columnNames: ['id_index'],
        isUnique: true,
        where: "status = 'registered'",
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('migrant');
  }
}
