import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chartJsDir, DASHBOARD_CSP, dashboardAssets } from './dashboard-assets';

describe('dashboard assets', () => {
  const assets = dashboardAssets(join(__dirname, 'public'), chartJsDir());

  it('lists files that exist, the page first', () => {
    expect([...assets.keys()]).toEqual([
      'index.html',
      'dashboard.js',
      'dashboard.css',
      'chart.umd.min.js',
    ]);
    for (const { file } of assets.values()) expect(existsSync(file)).toBe(true);
  });

  it('lets the page run only its own scripts and talk only to its own node', () => {
    const directives = new Map(
      DASHBOARD_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('require-trusted-types-for')).toEqual(["'script'"]);
  });
});
