import { utcInstantMs } from './instant';

describe('utcInstantMs', () => {
  it.each([
    ['2026-01-01T00:00:00Z', 1_767_225_600_000],
    ['2026-01-01T00:00:00.5Z', 1_767_225_600_500],
    ['2026-01-01T00:00:00.123Z', 1_767_225_600_123],
    ['2028-02-29T23:59:59Z', 1_835_481_599_000],
  ])('reads %s', (value, ms) => {
    expect(utcInstantMs(value)).toBe(ms);
  });

  it.each([
    ['2026-01-01T00:00:00', 'no zone: would be local time'],
    ['2026-01-01T08:00:00+08:00', 'an offset other than Z'],
    ['2026-02-30T00:00:00Z', 'no such day'],
    ['2026-01-01T24:00:00Z', 'hour 24'],
    ['2026-13-01T00:00:00Z', 'no such month'],
    ['2026-01-01', 'a date only'],
    ['2026-01-01T00:00:00.1234Z', 'below the millisecond'],
  ])('refuses %s (%s)', (value) => {
    expect(utcInstantMs(value)).toBeUndefined();
  });
});
