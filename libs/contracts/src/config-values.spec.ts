import { parsePort } from './config-values';

describe('parsePort', () => {
  it('uses the fallback when unset', () => {
    expect(parsePort(undefined, 3001)).toBe(3001);
    expect(parsePort('', 3001)).toBe(3001);
  });

  it('reads a valid port', () => {
    expect(parsePort('8080', 1)).toBe(8080);
  });

  it('refuses anything that is not a port', () => {
    expect(() => parsePort('70000', 1)).toThrow(/TCP port/);
    expect(() => parsePort('3.5', 1)).toThrow(/TCP port/);
    expect(() => parsePort('-1', 1)).toThrow(/TCP port/);
    expect(() => parsePort('80x', 1)).toThrow(/TCP port/);
  });
});
