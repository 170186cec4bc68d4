import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

export class OutboxBrokerTime1764400010000 implements MigrationInterface {
  name = 'OutboxBrokerTime1764400010000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'exchange_outbox',
      new TableColumn({ name: 'broker_time', type: 'bigint', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('exchange_outbox', 'broker_time');
  }
}
