import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROUTE, WORKBENCH_CSP, workbenchFiles } from './workbench-files';

describe('workbench files', () => {
  it('lists the built files by their path under /workbench, and only types it serves', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workbench-'));
    mkdirSync(join(dir, 'assets'));
    for (const name of ['index.html', 'assets/index-1a2b.js', 'assets/index-3c4d.css', 'x.map']) {
      writeFileSync(join(dir, name), '');
    }
    const files = workbenchFiles(dir);
    expect([...files.keys()].sort()).toEqual([
      'assets/index-1a2b.js',
      'assets/index-3c4d.css',
      'index.html',
    ]);
    expect(files.get('index.html')).toMatchObject({ immutable: false });
    expect(files.get('assets/index-1a2b.js')).toMatchObject({
      contentType: 'text/javascript; charset=utf-8',
      immutable: true,
    });
    expect(workbenchFiles(join(dir, 'not-built')).size).toBe(0);
  });

  it('routes single words to the app and nothing that looks like a path or a file', () => {
    for (const route of ['inbox', 'sign-in', 'exchange-monitor'])
      expect(APP_ROUTE.test(route)).toBe(true);
    for (const other of ['../x', 'a/b', 'index.html', 'Inbox', 'inbox-', '']) {
      expect(APP_ROUTE.test(other)).toBe(false);
    }
  });

  it('runs only its own scripts and styles, and talks only to its own node', () => {
    const directives = new Map(
      WORKBENCH_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('trusted-types')).toEqual(['vue']);
    expect(WORKBENCH_CSP).not.toContain('unsafe');
  });
});
