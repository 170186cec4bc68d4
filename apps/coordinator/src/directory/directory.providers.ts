import { Provider } from '@nestjs/common';
import { APP_LOG, AppLog } from '@yipanqi/observability';
import { DataSource } from 'typeorm';
import { loadOrCreateNodeKeys } from '@yipanqi/crypto';
import { ApiTokens } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { CoordinatorConfig } from '../coordinator.config';
import { openCoordinatorDatabase } from '../database';
import { COORDINATOR_CONFIG, COORDINATOR_KEYS } from '../tokens';
import { DirectoryPublisher } from './directory-publisher';
import { DirectoryService } from './directory.service';
import { connectionOf } from '@yipanqi/kafka-access';

export const directoryProviders: Provider[] = [
  {
    // The coordinator is a party of the exchange too (evaluation campaigns),
    // so it has a node's two key pairs; the Ed25519 one signs the directory.
    provide: COORDINATOR_KEYS,
    inject: [COORDINATOR_CONFIG],
    useFactory: (config: CoordinatorConfig) => loadOrCreateNodeKeys(config.keysDir),
  },
  {
    provide: DataSource,
    inject: [COORDINATOR_CONFIG],
    useFactory: (config: CoordinatorConfig) => openCoordinatorDatabase(config),
  },
  {
    provide: Transactions,
    inject: [DataSource],
    useFactory: (dataSource: DataSource) => new Transactions(dataSource),
  },
  {
    provide: ApiTokens,
    inject: [Transactions],
    useFactory: (transactions: Transactions) => new ApiTokens(transactions),
  },
  {
    provide: DirectoryPublisher,
    inject: [COORDINATOR_CONFIG, Transactions, APP_LOG],
    useFactory: async (config: CoordinatorConfig, transactions: Transactions, appLog: AppLog) => {
      const log = appLog.child({ context: 'Directory' });
      const publisher = new DirectoryPublisher({
        kafka: connectionOf(config.kafka),
        topicPrefix: config.topicPrefix,
        transactions,
        leadMs: config.directoryLeadMs,
        log: (message) => log.warn(message),
      });
      await publisher.start();
      return publisher;
    },
  },
  DirectoryService,
];
