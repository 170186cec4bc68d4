import { kafkaSettingsFromEnv } from './kafka-settings';

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
