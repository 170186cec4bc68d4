import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingKafkaCredentialsError } from './connection';
import { connectionOf, kafkaEndpointFromEnv, kafkaSettingsFromEnv } from './kafka-settings';

describe('kafkaSettingsFromEnv', () => {
  it('defaults to the local broker on 9092', () => {
    expect(kafkaSettingsFromEnv({})).toEqual({ brokers: ['127.0.0.1:9092'], external: false });
  });

  it('follows KAFKA_PORT for the local broker', () => {
    expect(kafkaSettingsFromEnv({ KAFKA_PORT: '19092' }).brokers).toEqual(['127.0.0.1:19092']);
  });

  it('uses KAFKA_BROKERS as an external cluster', () => {
    expect(kafkaSettingsFromEnv({ KAFKA_BROKERS: 'k1:9092, k2:9092' })).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      external: true,
    });
  });

  it('rejects malformed broker lists with the offending entry', () => {
    expect(() => kafkaSettingsFromEnv({ KAFKA_BROKERS: 'k1:9092,k2' })).toThrow(/"k2"/);
    expect(() => kafkaSettingsFromEnv({ KAFKA_PORT: 'abc' })).toThrow(/KAFKA_PORT/);
  });
});

describe('kafkaEndpointFromEnv and connectionOf', () => {
  it('takes the certificate from KAFKA_CREDENTIALS_DIR, else the default place', () => {
    expect(kafkaEndpointFromEnv({}, '/data/kafka-credentials').credentialsDir).toBe(
      '/data/kafka-credentials',
    );
    expect(
      kafkaEndpointFromEnv({ KAFKA_CREDENTIALS_DIR: '/etc/yipanqi/kafka' }, '/d').credentialsDir,
    ).toBe('/etc/yipanqi/kafka');
    expect(kafkaEndpointFromEnv({ KAFKA_TLS: 'off' }, '/d').credentialsDir).toBeUndefined();
  });

  it('refuses a KAFKA_TLS that is neither on nor off, naming it', () => {
    expect(() => kafkaEndpointFromEnv({ KAFKA_TLS: 'yes' }, '/d')).toThrow(
      'KAFKA_TLS must be on or off: "yes"',
    );
  });

  it('says where the missing certificate was looked for and who issues it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'yipanqi-no-creds-'));
    expect(() => connectionOf({ brokers: ['k:9092'], credentialsDir: empty })).toThrow(
      new MissingKafkaCredentialsError(
        `no Kafka credentials in ${empty} (key.pem, cert.pem, ca.pem): the operator issues them when the node is provisioned (docs/operations.md "Kafka security")`,
      ),
    );
  });
});
