import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

export class NoticeAcknowledgement1764400750000 implements MigrationInterface {
  name = 'NoticeAcknowledgement1764400750000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('notice', [
      new TableColumn({ name: 'acknowledged_at', type: 'bigint', isNullable: true }),
      new TableColumn({
        name: 'acknowledged_by_token',
        type: 'varchar',
        length: '64',
        isNullable: true,
      }),
      new TableColumn({
        name: 'acknowledged_by',
        type: 'varchar',
        length: '200',
        isNullable: true,
      }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('notice', 'acknowledged_by');
    await q.dropColumn('notice', 'acknowledged_by_token');
    await q.dropColumn('notice', 'acknowledged_at');
  }
}
