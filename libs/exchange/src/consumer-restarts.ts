/**
 * kafkajs restarts its consumer after a retriable failure, but gives up for
 * good on a few it deems final (`The coordinator is not aware of this member`
 * after the group coordinator died, `incompatible protocols` while a foreign
 * client holds the group). The node then recreates the consumer itself, after
 * these waits; a consumer that keeps crashing stops after the last one and
 * readiness says so.
 */
export const CONSUMER_RESTART_WAITS_MS = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];

/**
 * A consumer that stayed in its group this long was sound: a crash after that
 * starts a new series. One that crashes sooner continues the series.
 */
export const CONSUMER_STABLE_MS = 5 * 60 * 1000;

/** The wait before the next recreation, or undefined to give up; `crashes` in the series (≥ 1). */
export function consumerRestartWait(crashes: number): number | undefined {
  return CONSUMER_RESTART_WAITS_MS[crashes - 1];
}

/**
 * The crash's number in its series: the first of a new one when the consumer
 * before it had joined its group `CONSUMER_STABLE_MS` or more before `now`
 * (`joinedAt` 0: it never joined).
 */
export function crashInSeries(previous: number, joinedAt: number, now: number): number {
  return joinedAt > 0 && now - joinedAt >= CONSUMER_STABLE_MS ? 1 : previous + 1;
}
