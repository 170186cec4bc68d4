import { buildAuditorCli } from './cli';

describe('auditor CLI', () => {
  it('describes itself in its help', () => {
    const help = buildAuditorCli().helpInformation();
    expect(help).toContain('Usage: auditor');
    expect(help).toMatch(/replays the signed exchange log/);
  });

  it('refuses an unknown command instead of doing nothing', () => {
    const cli = buildAuditorCli()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    expect(() => cli.parse(['node', 'auditor', 'frobnicate'])).toThrow();
  });
});
