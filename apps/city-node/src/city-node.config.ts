import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertNodeCode, NodeCode, parsePort, TOPIC_PREFIX } from '@yipanqi/contracts';
import { RelayCrashPoint } from '@yipanqi/exchange';
import { KafkaEndpoint, kafkaEndpointFromEnv } from '@yipanqi/kafka-access';
import { LogLevel, parseLogLevel } from '@yipanqi/observability';

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
  /**
   * the coordinator's Ed25519 public key (raw, base64url): only directory
   * entries it signed count. Required to run the exchange, not for the CLI.
   */
  coordinatorKey: string | undefined;
  /** the cluster and this node's certificate (default <DATA_DIR>/kafka-credentials) */
  kafka: KafkaEndpoint;
  /** topic namespace; tests and parallel networks on one cluster use their own */
  topicPrefix: string;
  /** how long the consumer group waits for a silent (crashed) node before moving its partitions */
  kafkaSessionTimeoutMs: number;
  /** fault tests only (EXCHANGE_CRASH_POINT): the relay kills the process at that point */
  relayCrashPoint: RelayCrashPoint | undefined;
  /** LOG_LEVEL, default info (docs/operations.md "Logs") */
  logLevel: LogLevel;
}

const CRASH_POINTS: readonly RelayCrashPoint[] = ['before-publish', 'after-publish'];

function parseCrashPoint(value: string | undefined): RelayCrashPoint | undefined {
  if (!value) return undefined;
  if (!(CRASH_POINTS as readonly string[]).includes(value)) {
    throw new Error(`EXCHANGE_CRASH_POINT must be one of ${CRASH_POINTS.join(', ')}`);
  }
  return value as RelayCrashPoint;
}

function parseMilliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number of milliseconds`);
  return Number(value);
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
    coordinatorKey:
      env.COORDINATOR_KEY ||
      (env.COORDINATOR_KEY_FILE
        ? readFileSync(env.COORDINATOR_KEY_FILE, 'utf8').trim()
        : undefined),
    kafka: kafkaEndpointFromEnv(env, join(dataDir, 'kafka-credentials')),
    topicPrefix: env.TOPIC_PREFIX || TOPIC_PREFIX,
    kafkaSessionTimeoutMs: parseMilliseconds(
      'KAFKA_SESSION_TIMEOUT_MS',
      env.KAFKA_SESSION_TIMEOUT_MS,
      30000,
    ),
    relayCrashPoint: parseCrashPoint(env.EXCHANGE_CRASH_POINT),
    logLevel: parseLogLevel(env.LOG_LEVEL),
  };
}
