import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class Certificates1764400500000 implements MigrationInterface {
  name = 'Certificates1764400500000';

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
        name: 'certificate',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('direction', 8),
          text('issuer', 6),
          text('peer', 6),
          text('agreement_id', 36, true),
          text('message_id', 36),
          text('number_index', 64),
          text('holder_index', 64),
          text('valid_from', 10),
          text('valid_until', 10),
          { name: 'pii', type: 'text' },
          ms('created_at'),
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
          { ...text('id', 36), isPrimary: true },
          text('direction', 8),
          text('peer', 6),
          text('agreement_id', 36, true),
          text('request_message_id', 36),
          ms('requested_at'),
          ms('due_at', true),
          text('certificate_id', 36, true),
          text('status', 8),
          text('result', 16, true),
          text('answered_by', 16, true),
          text('answerer_token', 64, true),
          ms('answered_at', true),
          text('answer_message_id', 36, true),
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
