/**
 * A monorepo classic: a folder of specs that the Jest config never picks up
 * stays green forever. This compares every spec file on disk with what Jest
 * would actually run.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

function specFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : specFilesUnder(path);
    return /\.(int-)?spec\.ts$/.test(entry.name) ? [relative(repo, path)] : [];
  });
}

describe('jest configuration', () => {
  it('runs every spec file in apps/, libs/ and tests/', () => {
    const onDisk = ['apps', 'libs', 'tests'].flatMap((d) => specFilesUnder(join(repo, d))).sort();
    const listed = execFileSync(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--listTests', '--json'],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    );
    const runByJest = (JSON.parse(listed) as string[]).map((f) => relative(repo, f)).sort();

    expect(onDisk.length).toBeGreaterThan(0);
    expect(onDisk.some((f) => f.startsWith('libs/'))).toBe(true);
    expect(runByJest).toEqual(onDisk);
  });
});
