import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isOutOfOrderSequence } from './outbox-relay';

describe('isOutOfOrderSequence (when the relay replaces its producer)', () => {
  const outOfOrder = () =>
    // as kafkajs builds it from the broker's error code
    new KafkaJSProtocolError(
      Object.assign(new Error('The broker received an out of order sequence number'), {
        type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        code: 45,
        retriable: false,
      }),
    );

  it('sees the broker error itself and under the retry errors kafkajs wraps it in', () => {
    expect(isOutOfOrderSequence(outOfOrder())).toBe(true);
    expect(
      isOutOfOrderSequence(
        new KafkaJSNumberOfRetriesExceeded(outOfOrder(), { retryCount: 5, retryTime: 100 }),
      ),
    ).toBe(true);
  });

  it('keeps the producer for the failures a new one would not cure', () => {
    const unknownTopic = new KafkaJSProtocolError(
      Object.assign(new Error('This server does not host this topic-partition'), {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        code: 3,
        retriable: true,
      }),
    );
    expect(isOutOfOrderSequence(unknownTopic)).toBe(false);
    expect(isOutOfOrderSequence(new Error('Connection timeout'))).toBe(false);
    expect(isOutOfOrderSequence('not an error')).toBe(false);
  });
});
