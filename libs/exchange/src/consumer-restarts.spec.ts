import {
  CONSUMER_RESTART_WAITS_MS,
  CONSUMER_STABLE_MS,
  consumerRestartWait,
  crashInSeries,
} from './consumer-restarts';

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

  it('counts a crash soon after a join into the series, so join-and-crash loops end too', () => {
    const now = 10 * CONSUMER_STABLE_MS;
    expect(crashInSeries(0, 0, now)).toBe(1);
    expect(crashInSeries(3, 0, now)).toBe(4); // never joined
    expect(crashInSeries(3, now - 1000, now)).toBe(4); // joined, crashed a second later
    expect(crashInSeries(7, now - CONSUMER_STABLE_MS, now)).toBe(1); // was sound for 5 minutes
  });
});
