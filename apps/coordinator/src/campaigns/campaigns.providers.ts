import { Provider } from '@nestjs/common';
import { APP_LOG, AppLog } from '@yipanqi/observability';
import { NodeKeys } from '@yipanqi/crypto';
import { Transactions } from '@yipanqi/persistence';
import { CoordinatorConfig } from '../coordinator.config';
import { COORDINATOR_CONFIG, COORDINATOR_KEYS } from '../tokens';
import { CampaignLog } from './campaign-log';
import { CampaignsService } from './campaigns.service';
import { EvaluationPublisher } from './evaluation-publisher';
import { connectionOf } from '@yipanqi/kafka-access';

export const campaignProviders: Provider[] = [
  {
    provide: CampaignLog,
    inject: [COORDINATOR_CONFIG, COORDINATOR_KEYS],
    useFactory: (config: CoordinatorConfig, keys: NodeKeys) => new CampaignLog(config, keys),
  },
  {
    provide: EvaluationPublisher,
    inject: [COORDINATOR_CONFIG, Transactions, APP_LOG],
    useFactory: async (config: CoordinatorConfig, transactions: Transactions, appLog: AppLog) => {
      const log = appLog.child({ context: 'Campaigns' });
      const publisher = new EvaluationPublisher({
        kafka: connectionOf(config.kafka),
        topicPrefix: config.topicPrefix,
        transactions,
        log: (message) => log.warn(message),
      });
      await publisher.start();
      return publisher;
    },
  },
  CampaignsService,
];
