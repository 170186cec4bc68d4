import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { epochMsColumn, varcharColumn } from '@yipanqi/persistence';

export class Certificates1764400500000 implements MigrationInterface {
  name = 'Certificates1764400500000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'certificate',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('direction', 8),
          varcharColumn('issuer', 6),
          varcharColumn('peer', 6),
          varcharColumn('agreement_id', 36, true),
          varcharColumn('message_id', 36),
          varcharColumn('number_index', 64),
          varcharColumn('holder_index', 64),
          varcharColumn('valid_from', 10),
          varcharColumn('valid_until', 10),
          { name: 'pii', type: 'text' },
          epochMsColumn('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ux_certificate_number',
            columnNames: ['issuer', 'number_index'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_certificate_holder', columnNames: ['holder_index'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'certificate_verification',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('direction', 8),
          varcharColumn('peer', 6),
          varcharColumn('agreement_id', 36, true),
          varcharColumn('request_message_id', 36),
          epochMsColumn('requested_at'),
          epochMsColumn('due_at', true),
          varcharColumn('certificate_id', 36, true),
          varcharColumn('status', 8),
          varcharColumn('result', 16, true),
          varcharColumn('answered_by', 16, true),
          varcharColumn('answerer_token', 64, true),
          epochMsColumn('answered_at', true),
          varcharColumn('answer_message_id', 36, true),
          { name: 'pii', type: 'text' },
        ],
        indices: [
          new TableIndex({
            name: 'ix_certificate_verification_queue',
            columnNames: ['direction', 'status', 'due_at'],
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'certificate_number_sequence',
        columns: [
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'last_seq', type: 'integer' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('certificate_number_sequence');
    await q.dropTable('certificate_verification');
    await q.dropTable('certificate');
  }
}
