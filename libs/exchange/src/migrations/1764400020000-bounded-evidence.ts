import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { epochMsColumn, integerColumn, serialColumn, varcharColumn } from '@yipanqi/persistence';
import { recordEvidence } from '../record-evidence';

const text = (name: string, isNullable = false) =>
  new TableColumn({ name, type: 'text', isNullable });
const bigint = (name: string) => ({ name, type: 'bigint', isNullable: false });

/**
 * Dead letters keep bounded evidence instead of the whole record; dropped
 * (unanswered) records are counted and sampled; incoming streams remember
 * when they diverged; refused answers are kept.
 */
export class BoundedEvidence1764400020000 implements MigrationInterface {
  name = 'BoundedEvidence1764400020000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('exchange_dead_letter', [
      new TableColumn(varcharColumn('record_key', 64, true)),
      new TableColumn({ ...bigint('size'), default: 0 }),
      new TableColumn({ ...varcharColumn('sha256', 64), default: "''" }),
      new TableColumn({ name: 'head', type: 'text', default: "''" }),
      new TableColumn({ name: 'headers', type: 'text', default: "'{}'" }),
      new TableColumn(varcharColumn('message_id', 36, true)),
    ]);
    const letters = (await q.query('SELECT id, value FROM exchange_dead_letter')) as {
      id: number;
      value: string;
    }[];
    for (const letter of letters) {
      const e = recordEvidence(Buffer.from(letter.value, 'base64'), null, undefined);
      await q.manager.update(
        'exchange_dead_letter',
        { id: letter.id },
        { size: e.size, sha256: e.sha256, head: e.head },
      );
    }
    await q.dropColumn('exchange_dead_letter', 'value');

    await q.addColumns('exchange_stream', [
      new TableColumn(varcharColumn('stalled_reason', 32, true)),
      new TableColumn(varcharColumn('stalled_message_id', 36, true)),
      new TableColumn(epochMsColumn('stalled_since', true)),
    ]);

    await q.addColumn('exchange_rejection', text('evidence', true));
    await q.createIndex(
      'exchange_rejection',
      new TableIndex({ name: 'ix_rejection_message', columnNames: ['message_id'] }),
    );

    await q.createTable(
      new Table({
        name: 'exchange_drop_count',
        columns: [
          { ...varcharColumn('reason', 16), isPrimary: true },
          { ...varcharColumn('claimed_from', 64), isPrimary: true },
          bigint('count'),
          epochMsColumn('first_at'),
          epochMsColumn('last_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'exchange_dropped_record',
        columns: [
          serialColumn('id'),
          varcharColumn('reason', 16),
          varcharColumn('claimed_from', 64),
          varcharColumn('message_id', 64, true),
          varcharColumn('topic', 255),
          integerColumn('partition'),
          varcharColumn('record_offset', 32),
          varcharColumn('record_key', 64, true),
          bigint('size'),
          varcharColumn('sha256', 64),
          { name: 'head', type: 'text' },
          { name: 'headers', type: 'text' },
          epochMsColumn('broker_time'),
          varcharColumn('detail', 1000),
          epochMsColumn('at'),
        ],
        indices: [{ name: 'ix_dropped_at', columnNames: ['at'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('exchange_dropped_record');
    await q.dropTable('exchange_drop_count');
    await q.dropIndex('exchange_rejection', 'ix_rejection_message');
    await q.dropColumn('exchange_rejection', 'evidence');
    for (const c of ['stalled_reason', 'stalled_message_id', 'stalled_since']) {
      await q.dropColumn('exchange_stream', c);
    }
    // the dropped bytes of old dead letters are in the inbox topic, not here
    await q.addColumn(
      'exchange_dead_letter',
      new TableColumn({ name: 'value', type: 'text', default: "''" }),
    );
    await q.query('UPDATE exchange_dead_letter SET value = head');
    for (const c of ['record_key', 'size', 'sha256', 'head', 'headers', 'message_id']) {
      await q.dropColumn('exchange_dead_letter', c);
    }
  }
}
