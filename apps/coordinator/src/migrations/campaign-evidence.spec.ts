import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@yipanqi/persistence';
import { Campaigns1764500100000 } from './1764500100000-campaigns';
import { CampaignEvidence1764500200000 } from './1764500200000-campaign-evidence';

const ids = (numeratorIds: string[], denominatorIds: string[], pendingIds: string[] = []) => ({
  numeratorIds,
  denominatorIds,
  pendingIds,
});
const none = ids([], []);

/** A result as version 1 stored it: every id inline (only what the migration reads). */
const resultV1 = {
  version: 1,
  pairs: [
    {
      evaluator: '441300',
      evaluated: '511500',
      indicators: { R: ids(['n1'], ['n1', 'n2'], ['n3']), V: none, T: none, Q: none, S: none },
    },
    {
      evaluator: '511500',
      evaluated: '441300',
      indicators: { R: none, V: none, T: none, Q: none, S: none },
    },
  ],
};

describe('migration CampaignEvidence1764500200000', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'coordinator-migration-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the ids of version 1 results out of their records, one row per pair that has any', async () => {
    const url = `sqlite:${join(dir, 'coordinator.db')}`;
    const before = await openDatabase({ url, entities: [], migrations: [Campaigns1764500100000] });
    await before.query(
      `INSERT INTO campaign (id, name, period_start, period_end, participants, weights, created_at, created_by)
       VALUES ('c1', '互评', 0, 1, '["441300","511500"]', NULL, 0, 'staff')`,
    );
    await before.query(
      `INSERT INTO campaign_result (id, campaign_id, as_of, computed_at, record, published_at)
       VALUES ('r1', 'c1', 1, 2, ?, 3)`,
      [JSON.stringify(resultV1)],
    );
    await before.destroy();

    const after = await openDatabase({
      url,
      entities: [],
      migrations: [Campaigns1764500100000, CampaignEvidence1764500200000],
    });
    const rows = await after.query<Record<string, string>[]>('SELECT * FROM campaign_evidence');
    await after.destroy();
    expect(rows.map((r) => ({ ...r, ids: JSON.parse(r.ids) as unknown }))).toEqual([
      {
        result_id: 'r1',
        evaluator: '441300',
        evaluated: '511500',
        ids: { R: ids(['n1'], ['n1', 'n2'], ['n3']), V: none, T: none, Q: none, S: none },
      },
    ]);
  });
});
