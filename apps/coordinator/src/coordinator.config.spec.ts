import { coordinatorConfigFromEnv } from './coordinator.config';

describe('coordinatorConfigFromEnv', () => {
  it('keeps database and keys in its own folder by default', () => {
    const config = coordinatorConfigFromEnv({});
    expect(config).toMatchObject({
      httpPort: 3000,
      httpHost: '127.0.0.1',
      topicPrefix: 'yipanqi',
      directoryLeadMs: 2000,
      logLevel: 'info',
    });
    expect(config.dataDir).toMatch(/\.local\/coordinator$/);
    expect(config.databaseUrl).toBe(`sqlite:${config.dataDir}/coordinator.db`);
    expect(config.keysDir).toBe(`${config.dataDir}/keys`);
  });

  it('takes explicit settings', () => {
    expect(
      coordinatorConfigFromEnv({
        HTTP_PORT: '3100',
        DATABASE_URL: 'postgres://127.0.0.1/coordinator',
        KEYS_DIR: '/secure/keys',
        KAFKA_BROKERS: 'k:9092',
        TOPIC_PREFIX: 'test-1',
        DIRECTORY_LEAD_MS: '250',
        LOG_LEVEL: 'debug',
      }),
    ).toMatchObject({
      httpPort: 3100,
      databaseUrl: 'postgres://127.0.0.1/coordinator',
      keysDir: '/secure/keys',
      kafka: {
        brokers: ['k:9092'],
        credentialsDir: expect.stringMatching(/kafka-credentials$/) as unknown,
      },
      topicPrefix: 'test-1',
      directoryLeadMs: 250,
      logLevel: 'debug',
    });
  });

  it('refuses a malformed lead time, port or log level', () => {
    expect(() => coordinatorConfigFromEnv({ DIRECTORY_LEAD_MS: '2s' })).toThrow(
      /DIRECTORY_LEAD_MS/,
    );
    expect(() => coordinatorConfigFromEnv({ HTTP_PORT: 'x' })).toThrow(/TCP port/);
    expect(() => coordinatorConfigFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace',
    );
  });
});
