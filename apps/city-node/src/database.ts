import { mkdirSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { EXCHANGE_ENTITIES, EXCHANGE_MIGRATIONS } from '@yipanqi/exchange';
import { API_TOKEN_ENTITIES, API_TOKEN_MIGRATIONS } from '@yipanqi/http-api';
import { openDatabase } from '@yipanqi/persistence';
import { PersonalDataAccess } from './access-log/access-log.entity';
import { CityNodeConfig } from './city-node.config';
import { AGREEMENT_ENTITIES } from './agreements/agreement.entities';
import { CERTIFICATE_ENTITIES } from './certificates/certificate.entities';
import { Notices1764400100000 } from './migrations/1764400100000-notices';
import { Agreements1764400200000 } from './migrations/1764400200000-agreements';
import { AccessLog1764400300000 } from './migrations/1764400300000-access-log';
import { Certificates1764400500000 } from './migrations/1764400500000-certificates';
import { Migrants1764400400000 } from './migrations/1764400400000-migrants';
import { Migrant } from './migrants/migrant.entity';
import { CampaignImport1764400800000 } from './migrations/1764400800000-campaign-import';
import { CAMPAIGN_IMPORT_ENTITIES } from './campaign-import/campaign-import.entities';
import { Notice } from './notices/notice.entity';
import { Tasks1764400600000 } from './migrations/1764400600000-tasks';
import { TASK_ENTITIES } from './tasks/task.entities';
import { Services1764400700000 } from './migrations/1764400700000-services';
import { NoticeAcknowledgement1764400750000 } from './migrations/1764400750000-notice-acknowledgement';
import { SERVICE_ENTITIES } from './services/service.entities';
import { EvaluationRating } from './evaluation/rating.entity';
import { Evaluation1764400900000 } from './migrations/1764400900000-evaluation';

export const CITY_NODE_ENTITIES = [
  ...EXCHANGE_ENTITIES,
  ...API_TOKEN_ENTITIES,
  ...AGREEMENT_ENTITIES,
  Notice,
  PersonalDataAccess,
  ...TASK_ENTITIES,
  ...CERTIFICATE_ENTITIES,
  ...SERVICE_ENTITIES,
  Migrant,
  EvaluationRating,
  ...CAMPAIGN_IMPORT_ENTITIES,
];
export const CITY_NODE_MIGRATIONS = [
  ...EXCHANGE_MIGRATIONS,
  ...API_TOKEN_MIGRATIONS,
  Notices1764400100000,
  Agreements1764400200000,
  AccessLog1764400300000,
  Migrants1764400400000,
  Certificates1764400500000,
  Tasks1764400600000,
  Services1764400700000,
  NoticeAcknowledgement1764400750000,
  CampaignImport1764400800000,
  Evaluation1764400900000,
];

/** The node's database, migrated to the current schema. */
export function openCityNodeDatabase(config: CityNodeConfig): Promise<DataSource> {
  mkdirSync(config.dataDir, { recursive: true });
  return openDatabase({
    url: config.databaseUrl,
    entities: CITY_NODE_ENTITIES,
    migrations: CITY_NODE_MIGRATIONS,
  });
}
