import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class Services1764400700000 implements MigrationInterface {
  name = 'Services1764400700000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const ms = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
    await q.createTable(
      new Table({
        name: 'service_report',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('direction', 9),
          text('peer', 6),
          text('agreement_id', 36, true),
          text('service_type', 24),
          text('domain', 32),
          text('delivered_on', 10),
          text('provider', 200),
          text('entitlement_id', 36, true),
          text('person_index', 64, true),
          { name: 'pii', type: 'text' },
          text('delivered_message_id', 36),
          ms('acknowledged_at', true),
          text('acknowledged_by_token', 64, true),
          text('acknowledged_by', 200, true),
          text('acknowledgement_message_id', 36, true),
          { name: 'acknowledgement_pii', type: 'text', isNullable: true },
          ms('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ix_service_report_list',
            columnNames: ['direction', 'created_at'],
          }),
          new TableIndex({ name: 'ix_service_report_person', columnNames: ['person_index'] }),
          new TableIndex({
            name: 'ux_service_report_message',
            columnNames: ['delivered_message_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'benefit_entitlement',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('direction', 8),
          text('peer', 6),
          text('agreement_id', 36, true),
          text('benefit', 32),
          text('domain', 32),
          text('amount', 16),
          text('period_from', 10),
          text('period_to', 10),
          text('person_index', 64),
          { name: 'pii', type: 'text' },
          text('message_id', 36),
          text('service_id', 36, true),
          ms('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ix_benefit_entitlement_list',
            columnNames: ['direction', 'created_at'],
          }),
          new TableIndex({ name: 'ix_benefit_entitlement_person', columnNames: ['person_index'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('benefit_entitlement');
    await q.dropTable('service_report');
  }
}
