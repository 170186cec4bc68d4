/**
 * kafkajs restarts its consumer after a retriable failure, but gives up for
 * good on a few it deems final (`The coordinator is not aware of this member`
 * after the group coordinator died, `incompatible protocols` while a foreign
 * client holds the group). The node then recreates the consumer itself, after
 * these waits; a consumer that keeps crashing without ever joining its group
 * stops after the last one and readiness says so.
 */
export const CONSUMER_RESTART_WAITS_MS = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];

/**
 * The wait before the next recreation, or undefined to give up. `crashes`
 * counts the crashes since the consumer last joined its group (≥ 1).
 */
export function consumerRestartWait(crashes: number): number | undefined {
  return CONSUMER_RESTART_WAITS_MS[crashes - 1];
}
