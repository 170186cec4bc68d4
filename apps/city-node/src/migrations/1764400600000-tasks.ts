import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class Tasks1764400600000 implements MigrationInterface {
  name = 'Tasks1764400600000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const ms = (name: string) => ({ name, type: 'bigint' });
    await q.createTable(
      new Table({
        name: 'task',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('box', 8),
          text('peer', 6),
          text('agreement_id', 36),
          text('kind', 16),
          text('domain', 32),
          ms('due_at'),
          text('state', 16),
          text('request_message_id', 36),
          { name: 'pii', type: 'text' },
          ms('created_at'),
          ms('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_task_box_state', columnNames: ['box', 'state'] }),
          new TableIndex({ name: 'ix_task_state_due', columnNames: ['state', 'due_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'task_step',
        columns: [
          { ...text('message_id', 36), isPrimary: true },
          text('task_id', 36),
          text('action', 16),
          text('by', 6),
          text('direction', 8),
          text('code', 32, true),
          { name: 'pii', type: 'text', isNullable: true },
          text('staff_token_id', 64, true),
          text('staff_label', 200, true),
          ms('at'),
        ],
        indices: [new TableIndex({ name: 'ix_task_step_task', columnNames: ['task_id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('task_step');
    await q.dropTable('task');
  }
}
