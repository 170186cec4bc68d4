import { join, resolve } from 'node:path';
import { assertNodeCode, NodeCode, parsePort, TOPIC_PREFIX } from '@yipanqi/contracts';
import { kafkaSettingsFromEnv } from '@yipanqi/exchange';

export interface CityNodeConfig {
  nodeCode: NodeCode;
  nodeName: string;
  httpPort: number;
  /** 127.0.0.1 by default: the admin API is not exposed unless asked for (containers set 0.0.0.0) */
  httpHost: string;
  /** node's own folder: database file (SQLite), keys */
  dataDir: string;
  /** sqlite:<file> or postgres://… */
  databaseUrl: string;
  keysDir: string;
  /** JSON file of partner public keys, until the directory replaces it */
  peersFile: string | undefined;
  kafkaBrokers: string[];
  /** topic namespace; tests and parallel networks on one cluster use their own */
  topicPrefix: string;
}

export function cityNodeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CityNodeConfig {
  const nodeCode = assertNodeCode(env.NODE_CODE ?? '441300');
  const dataDir = resolve(env.DATA_DIR || join('.local', 'nodes', nodeCode));
  return {
    nodeCode,
    nodeName: env.NODE_NAME ?? '',
    httpPort: parsePort(env.HTTP_PORT, 3001),
    httpHost: env.HTTP_HOST || '127.0.0.1',
    dataDir,
    databaseUrl: env.DATABASE_URL || `sqlite:${join(dataDir, 'node.db')}`,
    keysDir: env.KEYS_DIR || join(dataDir, 'keys'),
    peersFile: env.PEERS_FILE || undefined,
    kafkaBrokers: kafkaSettingsFromEnv(env).brokers,
    topicPrefix: env.TOPIC_PREFIX || TOPIC_PREFIX,
  };
}
