import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppMetrics } from './app-metrics';

/**
 * Where the request logger is mounted (logging.ts). Nest mounts middleware
 * as an Express route of this path, so a request no controller matched
 * still carries that route: it is no route template of ours.
 */
export const EVERY_PATH = '/{*splat}';

/** The route label: the matched route's template (never the path itself: it may hold ids). */
export function routeLabel(req: { baseUrl?: string; route?: { path?: unknown } }): string {
  const path = req.route?.path;
  return typeof path === 'string' && path !== EVERY_PATH
    ? `${req.baseUrl ?? ''}${path}`
    : '(unmatched)';
}

/** Express middleware counting every answered request by method, route template and status. */
export function httpMetrics(metrics: AppMetrics) {
  return (
    req: IncomingMessage & { baseUrl?: string; route?: { path?: unknown } },
    res: ServerResponse,
    next: () => void,
  ): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.http(req.method ?? 'GET', routeLabel(req), res.statusCode, seconds);
    });
    next();
  };
}
