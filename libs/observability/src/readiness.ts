import { ServiceUnavailableException } from '@nestjs/common';
import type {
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { ProblemError } from '@yipanqi/http-api';

/** How long one readiness check may take before it counts as down. */
export const READINESS_CHECK_TIMEOUT_MS = 3000;

/**
 * Runs terminus' checks and answers as our API does: the details of every
 * check on success, a 503 problem+json `NOT_READY` naming the checks that are
 * down otherwise (orchestrators look at the status; people at `checks`).
 */
export async function readinessChecks(
  health: HealthCheckService,
  indicators: HealthIndicatorFunction[],
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  try {
    const result = await health.check(indicators);
    return { ...result.details, ...extra };
  } catch (err) {
    if (!(err instanceof ServiceUnavailableException)) throw err;
    const result = err.getResponse() as {
      details?: Record<string, unknown>;
      error?: Record<string, unknown>;
    };
    const checks = { ...result.details, ...extra };
    const down = Object.keys(result.error ?? {});
    throw new ProblemError(503, 'NOT_READY', 'Not ready', `down: ${down.join(', ') || 'unknown'}`, {
      checks,
    });
  }
}

/**
 * One check: `up` with what `work` returns, `down` with its error — or with
 * "no answer in N ms" when it takes longer (kafkajs retries for a long time
 * against a broker that has gone away).
 */
export async function checkWithin<Key extends string>(
  indicators: HealthIndicatorService,
  key: Key,
  work: () => Promise<Record<string, unknown> | void>,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): Promise<HealthIndicatorResult<Key>> {
  const session = indicators.check(key);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const data = await Promise.race([work(), timeout]);
    return session.up(data ?? {});
  } catch (err) {
    return session.down({ message: (err as Error).message });
  } finally {
    clearTimeout(timer);
  }
}
