import { MigrationInterface, QueryRunner, Table, TableIndex, TableUnique } from 'typeorm';

export class CampaignImport1764400800000 implements MigrationInterface {
  name = 'CampaignImport1764400800000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    const int = (name: string) => ({ name, type: 'integer' });
    const ms = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
    await q.createTable(
      new Table({
        name: 'campaign_import',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('campaign_id', 64),
          text('file_sha256', 64),
          text('status', 12),
          int('attempts'),
          ms('bytes'),
          ms('bytes_parsed'),
          int('rows_read'),
          int('rows_valid'),
          int('rows_invalid'),
          int('rows_committed'),
          int('rows_duplicate'),
          int('rows_refused'),
          int('findings'),
          text('failure_code', 40, true),
          text('failure_detail', 500, true),
          text('uploaded_by', 64),
          ms('created_at'),
          ms('started_at'),
          ms('heartbeat_at'),
          ms('finished_at', true),
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
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          text('import_id', 36),
          int('row'),
          text('field', 64),
          text('code', 40),
          text('message', 300),
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
          { ...text('campaign_id', 64), isPrimary: true },
          { ...text('id_index', 64), isPrimary: true },
          text('import_id', 36),
          int('row'),
          text('record_id', 36),
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
