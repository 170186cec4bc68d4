import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { varcharColumn } from '@yipanqi/persistence';

const INDICATORS = ['R', 'V', 'T', 'Q', 'S'];

/** The part of a version 1 result this migration reads: it listed every id in its pairs. */
interface ResultV1 {
  version: number;
  pairs: {
    evaluator: string;
    evaluated: string;
    indicators: Record<
      string,
      { numeratorIds: string[]; denominatorIds: string[]; pendingIds: string[] }
    >;
  }[];
}

/**
 * Results publish digests in place of message ids (version 2); the ids stay
 * here, one row per pair. The ids of results computed before are copied out
 * of their version 1 records, which stay as they were signed.
 */
export class CampaignEvidence1764500200000 implements MigrationInterface {
  name = 'CampaignEvidence1764500200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaign_evidence',
        columns: [
          { ...varcharColumn('result_id', 36), isPrimary: true },
          { ...varcharColumn('evaluator', 6), isPrimary: true },
          { ...varcharColumn('evaluated', 6), isPrimary: true },
          { name: 'ids', type: 'text' },
        ],
        foreignKeys: [
          {
            columnNames: ['result_id'],
            referencedTableName: 'campaign_result',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    const rows = (await q.query('SELECT id, record FROM campaign_result')) as {
      id: string;
      record: string;
    }[];
    // `?` on SQLite, `$1` on PostgreSQL
    const parameter = (i: number) => q.connection.driver.createParameter(`p${i}`, i);
    for (const row of rows) {
      // written and signed by this coordinator before version 2 existed
      const result = JSON.parse(row.record) as ResultV1;
      if (result.version !== 1) continue;
      for (const pair of result.pairs) {
        const ids = Object.fromEntries(
          INDICATORS.map((code) => {
            const { numeratorIds, denominatorIds, pendingIds } = pair.indicators[code];
            return [code, { numeratorIds, denominatorIds, pendingIds }];
          }),
        );
        if (Object.values(ids).every((i) => Object.values(i).every((l) => l.length === 0))) {
          continue;
        }
        await q.query(
          `INSERT INTO campaign_evidence (result_id, evaluator, evaluated, ids) VALUES (${[0, 1, 2, 3].map(parameter).join(', ')})`,
          [row.id, pair.evaluator, pair.evaluated, JSON.stringify(ids)],
        );
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('campaign_evidence');
  }
}
