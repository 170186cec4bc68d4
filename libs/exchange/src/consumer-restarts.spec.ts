import { CONSUMER_RESTART_WAITS_MS, consumerRestartWait } from './consumer-restarts';

describe('recreating an inbox consumer kafkajs gave up on', () => {
  it('waits longer after each crash without a join, up to 30 s', () => {
    const waits = CONSUMER_RESTART_WAITS_MS.map((_, i) => consumerRestartWait(i + 1) as number);
    expect(waits[0]).toBe(1000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(Math.max(...waits)).toBe(30000);
  });

  it('gives up after a bounded number of crashes (about two minutes of trying)', () => {
    expect(consumerRestartWait(CONSUMER_RESTART_WAITS_MS.length + 1)).toBeUndefined();
    const total = CONSUMER_RESTART_WAITS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(180000);
    expect(total).toBeGreaterThanOrEqual(60000);
  });
});
