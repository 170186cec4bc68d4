import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { epochMsColumn, varcharColumn } from '@yipanqi/persistence';

export class Tasks1764400600000 implements MigrationInterface {
  name = 'Tasks1764400600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'task',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('box', 8),
          varcharColumn('peer', 6),
          varcharColumn('agreement_id', 36),
          varcharColumn('kind', 16),
          varcharColumn('domain', 32),
          epochMsColumn('due_at'),
          varcharColumn('state', 16),
          varcharColumn('request_message_id', 36),
          { name: 'pii', type: 'text' },
          epochMsColumn('created_at'),
          epochMsColumn('updated_at'),
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
          { ...varcharColumn('message_id', 36), isPrimary: true },
          varcharColumn('task_id', 36),
          varcharColumn('action', 16),
          varcharColumn('by', 6),
          varcharColumn('direction', 8),
          varcharColumn('code', 32, true),
          { name: 'pii', type: 'text', isNullable: true },
          varcharColumn('staff_token_id', 64, true),
          varcharColumn('staff_label', 200, true),
          epochMsColumn('at'),
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
