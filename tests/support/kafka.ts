import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSettingsFromEnv } from '@yipanqi/exchange';

/** A kafkajs client on the cluster the test run uses (see tests/support/global-setup.js). */
export function testKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: kafkaSettingsFromEnv().brokers,
    // kafkajs logs every retried request as an error; failures still reach the test as exceptions
    logLevel: logLevel.NOTHING,
  });
}

/** Topic and group names that never collide with another run or with a local demo network. */
export function uniqueName(prefix: string): string {
  return `test.${prefix}.${Date.now()}.${randomBytes(3).toString('hex')}`;
}
