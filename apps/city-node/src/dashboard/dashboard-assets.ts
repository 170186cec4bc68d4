import { dirname, join } from 'node:path';

/**
 * The files the dashboard page is made of. Only these names are served: the
 * route takes a name, never a path.
 */
export interface DashboardAsset {
  file: string;
  contentType: string;
}

export function dashboardAssets(
  publicDir: string,
  chartJsDir: string,
): Map<string, DashboardAsset> {
  return new Map([
    [
      'index.html',
      { file: join(publicDir, 'index.html'), contentType: 'text/html; charset=utf-8' },
    ],
    [
      'dashboard.js',
      { file: join(publicDir, 'dashboard.js'), contentType: 'text/javascript; charset=utf-8' },
    ],
    [
      'dashboard.css',
      { file: join(publicDir, 'dashboard.css'), contentType: 'text/css; charset=utf-8' },
    ],
    [
      'chart.umd.min.js',
      { file: join(chartJsDir, 'chart.umd.min.js'), contentType: 'text/javascript; charset=utf-8' },
    ],
  ]);
}

/** Chart.js's build folder (its package exports hide the browser bundle from require). */
export function chartJsDir(): string {
  return dirname(require.resolve('chart.js'));
}

/**
 * The page holds a bearer token in its session storage, so it runs only its
 * own scripts and talks only to its own node.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  // the script writes text only (textContent); the browser enforces that no HTML is injected
  "require-trusted-types-for 'script'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
