import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cityNodeConfigFromEnv } from './city-node.config';

describe('cityNodeConfigFromEnv', () => {
  it('reads code, name and port, with per-node defaults for data, database and keys', () => {
    const config = cityNodeConfigFromEnv({
      NODE_CODE: '440300',
      NODE_NAME: '深圳市',
      HTTP_PORT: '3002',
    });
    expect(config).toMatchObject({
      nodeCode: '440300',
      nodeName: '深圳市',
      httpPort: 3002,
      httpHost: '127.0.0.1',
    });
    expect(config.dataDir).toMatch(/\.local\/nodes\/440300$/);
    expect(config.databaseUrl).toBe(`sqlite:${config.dataDir}/node.db`);
    expect(config.keysDir).toBe(`${config.dataDir}/keys`);
  });

  it('takes explicit database, keys, coordinator key and broker settings', () => {
    const config = cityNodeConfigFromEnv({
      DATABASE_URL: 'postgres://127.0.0.1/test',
      KEYS_DIR: '/secure/keys',
      COORDINATOR_KEY: 'k'.repeat(43),
      KAFKA_BROKERS: 'k:9092',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://127.0.0.1/test',
      keysDir: '/secure/keys',
      coordinatorKey: 'k'.repeat(43),
      kafka: {
        brokers: ['k:9092'],
        credentialsDir: expect.stringMatching(/kafka-credentials$/) as unknown,
      },
    });
  });

  it('reads the coordinator key from a file, or has none', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'yipanqi-config-')), 'coordinator.key');
    writeFileSync(file, `${'c'.repeat(43)}\n`);
    expect(cityNodeConfigFromEnv({ COORDINATOR_KEY_FILE: file }).coordinatorKey).toBe(
      'c'.repeat(43),
    );
    expect(cityNodeConfigFromEnv({}).coordinatorKey).toBeUndefined();
  });

  it('reads the consumer session timeout and a fault-test crash point', () => {
    expect(cityNodeConfigFromEnv({})).toMatchObject({
      kafkaSessionTimeoutMs: 30000,
      relayCrashPoint: undefined,
    });
    expect(
      cityNodeConfigFromEnv({
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        EXCHANGE_CRASH_POINT: 'after-publish',
      }),
    ).toMatchObject({ kafkaSessionTimeoutMs: 6000, relayCrashPoint: 'after-publish' });
    expect(() => cityNodeConfigFromEnv({ EXCHANGE_CRASH_POINT: 'later' })).toThrow(
      /EXCHANGE_CRASH_POINT/,
    );
    expect(() => cityNodeConfigFromEnv({ KAFKA_SESSION_TIMEOUT_MS: '6s' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS/,
    );
  });

  it('logs at info unless LOG_LEVEL says otherwise, and refuses a level pino does not have', () => {
    expect(cityNodeConfigFromEnv({}).logLevel).toBe('info');
    expect(cityNodeConfigFromEnv({ LOG_LEVEL: '' }).logLevel).toBe('info');
    expect(cityNodeConfigFromEnv({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => cityNodeConfigFromEnv({ LOG_LEVEL: 'INFO' })).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace',
    );
  });

  it('refuses a malformed node code or port', () => {
    expect(() => cityNodeConfigFromEnv({ NODE_CODE: '4403' })).toThrow(/division code/);
    expect(() => cityNodeConfigFromEnv({ HTTP_PORT: 'x' })).toThrow(/TCP port/);
  });
});
