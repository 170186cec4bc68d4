import { mkdirSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { API_TOKEN_ENTITIES, API_TOKEN_MIGRATIONS } from '@yipanqi/http-api';
import { openDatabase } from '@yipanqi/persistence';
import { CAMPAIGN_ENTITIES } from './campaigns/campaign.entities';
import { CoordinatorConfig } from './coordinator.config';
import { DIRECTORY_ENTITIES } from './directory/directory.entities';
import { Directory1764500000000 } from './migrations/1764500000000-directory';
import { Campaigns1764500100000 } from './migrations/1764500100000-campaigns';
import { CampaignEvidence1764500200000 } from './migrations/1764500200000-campaign-evidence';

export const COORDINATOR_ENTITIES = [
  ...API_TOKEN_ENTITIES,
  ...DIRECTORY_ENTITIES,
  ...CAMPAIGN_ENTITIES,
];
export const COORDINATOR_MIGRATIONS = [
  ...API_TOKEN_MIGRATIONS,
  Directory1764500000000,
  Campaigns1764500100000,
  CampaignEvidence1764500200000,
];

/** The coordinator's database, migrated to the current schema. */
export function openCoordinatorDatabase(config: CoordinatorConfig): Promise<DataSource> {
  mkdirSync(config.dataDir, { recursive: true });
  return openDatabase({
    url: config.databaseUrl,
    entities: COORDINATOR_ENTITIES,
    migrations: COORDINATOR_MIGRATIONS,
  });
}
