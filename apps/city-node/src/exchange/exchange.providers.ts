import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  importSigningPublicKey,
  loadOrCreateDataKey,
  loadOrCreateNodeKeys,
  NodeKeys,
} from '@yipanqi/crypto';
import { DirectoryPeerKeys, ExchangeNode } from '@yipanqi/exchange';
import { connectionOf } from '@yipanqi/kafka-access';
import { APP_LOG, AppLog, AppMetrics, logExchangeEvent } from '@yipanqi/observability';
import { Transactions } from '@yipanqi/persistence';
import { AgreementGate } from '../agreements/agreement-gate';
import { CityNodeConfig } from '../city-node.config';
import { openCityNodeDatabase } from '../database';
import { CITY_NODE_CONFIG, DATA_KEY, NODE_KEYS, PEER_KEYS } from '../tokens';

/** Stops the exchange (consumer, relay, producer), the directory reader and the database on shutdown. */
@Injectable()
export class ExchangeShutdown implements OnApplicationShutdown {
  constructor(
    private readonly exchange: ExchangeNode,
    @Inject(PEER_KEYS) private readonly peers: DirectoryPeerKeys,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.exchange.stop();
    await this.peers.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export const exchangeProviders: Provider[] = [
  {
    provide: NODE_KEYS,
    inject: [CITY_NODE_CONFIG],
    useFactory: (config: CityNodeConfig) => loadOrCreateNodeKeys(config.keysDir),
  },
  {
    provide: DATA_KEY,
    inject: [CITY_NODE_CONFIG],
    useFactory: (config: CityNodeConfig) => loadOrCreateDataKey(config.keysDir),
  },
  {
    provide: PEER_KEYS,
    inject: [CITY_NODE_CONFIG, APP_LOG],
    useFactory: (config: CityNodeConfig, appLog: AppLog) => {
      if (!config.coordinatorKey) {
        throw new Error(
          'COORDINATOR_KEY (or COORDINATOR_KEY_FILE) is required: it verifies the directory',
        );
      }
      const log = appLog.child({ context: 'Directory' });
      return DirectoryPeerKeys.start({
        me: config.nodeCode,
        kafka: connectionOf(config.kafka),
        coordinatorKey: importSigningPublicKey(config.coordinatorKey),
        topicPrefix: config.topicPrefix,
        log: (message) => log.warn(message),
      });
    },
  },
  {
    provide: DataSource,
    inject: [CITY_NODE_CONFIG],
    useFactory: (config: CityNodeConfig) => openCityNodeDatabase(config),
  },
  {
    provide: Transactions,
    inject: [DataSource],
    useFactory: (dataSource: DataSource) => new Transactions(dataSource),
  },
  {
    provide: ExchangeNode,
    inject: [CITY_NODE_CONFIG, NODE_KEYS, PEER_KEYS, Transactions, AppMetrics, APP_LOG],
    useFactory: async (
      config: CityNodeConfig,
      keys: NodeKeys,
      peers: DirectoryPeerKeys,
      transactions: Transactions,
      metrics: AppMetrics,
      appLog: AppLog,
    ) => {
      // the app's own root, not Nest's process-wide Logger: the lines must name this node
      const log = appLog.child({ context: 'Exchange' });
      const exchange = new ExchangeNode({
        me: config.nodeCode,
        kafka: connectionOf(config.kafka),
        keys,
        peers,
        transactions,
        topicPrefix: config.topicPrefix,
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        relayCrashPoint: config.relayCrashPoint,
        gate: new AgreementGate(config.nodeCode),
        log: (message) => log.warn(message),
        onEvent: (event) => {
          metrics.exchange(event);
          logExchangeEvent(log, event);
        },
        onRelayError: () => metrics.relayError(),
      });
      await exchange.start();
      return exchange;
    },
  },
  ExchangeShutdown,
];

export const InjectPeerKeys = () => Inject(PEER_KEYS);
export const InjectDataKey = () => Inject(DATA_KEY);
