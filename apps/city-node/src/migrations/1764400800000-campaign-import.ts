import { MigrationInterface, QueryRunner, Table, TableIndex, TableUnique } from 'typeorm';
import {
  bigintColumn,
  epochMsColumn,
  integerColumn,
  serialColumn,
  varcharColumn,
} from '@yipanqi/persistence';

export class CampaignImport1764400800000 implements MigrationInterface {
  name = 'CampaignImport1764400800000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaign_import',
        columns: [
          { ...varcharColumn('id', 36), isPrimary: true },
          varcharColumn('campaign_id', 64),
          varcharColumn('file_sha256', 64),
          varcharColumn('status', 12),
          integerColumn('attempts'),
          bigintColumn('bytes'),
          bigintColumn('bytes_parsed'),
          integerColumn('rows_read'),
          integerColumn('rows_valid'),
          integerColumn('rows_invalid'),
          integerColumn('rows_committed'),
          integerColumn('rows_duplicate'),
          integerColumn('rows_refused'),
          integerColumn('findings'),
          varcharColumn('failure_code', 40, true),
          varcharColumn('failure_detail', 500, true),
          varcharColumn('uploaded_by', 64),
          epochMsColumn('created_at'),
          epochMsColumn('started_at'),
          epochMsColumn('heartbeat_at'),
          epochMsColumn('finished_at', true),
        ],
        uniques: [
          new TableUnique({
            name: 'ux_campaign_import_file',
            columnNames: ['campaign_id', 'file_sha256'],
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'campaign_import_finding',
        columns: [
          serialColumn('id'),
          varcharColumn('import_id', 36),
          integerColumn('row'),
          varcharColumn('field', 64),
          varcharColumn('code', 40),
          varcharColumn('message', 300),
        ],
        indices: [
          new TableIndex({
            name: 'ix_campaign_import_finding',
            columnNames: ['import_id', 'row'],
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'campaign_import_row',
        columns: [
          { ...varcharColumn('campaign_id', 64), isPrimary: true },
          { ...varcharColumn('id_index', 64), isPrimary: true },
          varcharColumn('import_id', 36),
          integerColumn('row'),
          varcharColumn('record_id', 36),
        ],
        indices: [
          new TableIndex({ name: 'ix_campaign_import_row_import', columnNames: ['import_id'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('campaign_import_row');
    await q.dropTable('campaign_import_finding');
    await q.dropTable('campaign_import');
  }
}
