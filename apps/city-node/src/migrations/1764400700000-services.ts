import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { epochMsColumn, varcharColumn } from '@yipanqi/persistence';

export class Services1764400700000 implements MigrationInterface {
  name = 'Services1764400700000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'service_report',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('direction', 9),
          varcharColumn('peer', 6),
          varcharColumn('agreement_id', 36, true),
          varcharColumn('service_type', 24),
          varcharColumn('domain', 32),
          varcharColumn('delivered_on', 10),
          varcharColumn('provider', 200),
          varcharColumn('entitlement_id', 36, true),
          varcharColumn('person_index', 64, true),
          { name: 'pii', type: 'text' },
          varcharColumn('delivered_message_id', 36),
          epochMsColumn('acknowledged_at', true),
          varcharColumn('acknowledged_by_token', 64, true),
          varcharColumn('acknowledged_by', 200, true),
          varcharColumn('acknowledgement_message_id', 36, true),
          { name: 'acknowledgement_pii', type: 'text', isNullable: true },
          epochMsColumn('created_at'),
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
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('direction', 8),
          varcharColumn('peer', 6),
          varcharColumn('agreement_id', 36, true),
          varcharColumn('benefit', 32),
          varcharColumn('domain', 32),
          varcharColumn('amount', 16),
          varcharColumn('period_from', 10),
          varcharColumn('period_to', 10),
          varcharColumn('person_index', 64),
          { name: 'pii', type: 'text' },
          varcharColumn('message_id', 36),
          varcharColumn('service_id', 36, true),
          epochMsColumn('created_at'),
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
