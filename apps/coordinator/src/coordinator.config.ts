import { join, resolve } from 'node:path';
import { parsePort, TOPIC_PREFIX } from '@yipanqi/contracts';
import { KafkaEndpoint, kafkaEndpointFromEnv } from '@yipanqi/kafka-access';
import { LogLevel, parseLogLevel } from '@yipanqi/observability';

export interface CoordinatorConfig {
  httpPort: number;
  /** 127.0.0.1 by default: the admin API is not exposed unless asked for (containers set 0.0.0.0) */
  httpHost: string;
  /** the coordinator's own folder: database file (SQLite), keys */
  dataDir: string;
  /** sqlite:<file> or postgres://… */
  databaseUrl: string;
  /** the Ed25519 key that signs the directory lives here */
  keysDir: string;
  /** the cluster and the coordinator's certificate (default <DATA_DIR>/kafka-credentials) */
  kafka: KafkaEndpoint;
  /** topic namespace; tests and parallel networks on one cluster use their own */
  topicPrefix: string;
  /**
   * how long after it is issued a directory change takes effect: longer than
   * publishing takes plus the clock difference between coordinator and broker
   */
  directoryLeadMs: number;
  /** LOG_LEVEL, default info (docs/operations.md "Logs") */
  logLevel: LogLevel;
}

export function coordinatorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const dataDir = resolve(env.DATA_DIR || join('.local', 'coordinator'));
  const lead = env.DIRECTORY_LEAD_MS || '2000';
  if (!/^\d+$/.test(lead))
    throw new Error('DIRECTORY_LEAD_MS must be a whole number of milliseconds');
  return {
    httpPort: parsePort(env.HTTP_PORT, 3000),
    httpHost: env.HTTP_HOST || '127.0.0.1',
    dataDir,
    databaseUrl: env.DATABASE_URL || `sqlite:${join(dataDir, 'coordinator.db')}`,
    keysDir: env.KEYS_DIR || join(dataDir, 'keys'),
    kafka: kafkaEndpointFromEnv(env, join(dataDir, 'kafka-credentials')),
    topicPrefix: env.TOPIC_PREFIX || TOPIC_PREFIX,
    directoryLeadMs: Number(lead),
    logLevel: parseLogLevel(env.LOG_LEVEL),
  };
}
