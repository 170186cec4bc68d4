import { instantMs, ratedPeriod, scoreWindow } from './evaluation-input';

const NOW = Date.UTC(2026, 3, 10, 12); // 2026-04-10T12:00:00Z

describe('instants of the evaluation API', () => {
  it('reads UTC and offset instants, with or without seconds and milliseconds', () => {
    expect(instantMs('2026-04-01T00:00:00Z')).toBe(Date.UTC(2026, 3, 1));
    expect(instantMs('2026-04-01T08:00:00+08:00')).toBe(Date.UTC(2026, 3, 1));
    expect(instantMs('2026-03-31T19:30-04:30')).toBe(Date.UTC(2026, 3, 1));
    expect(instantMs('2026-04-01T00:00:00.5Z')).toBe(Date.UTC(2026, 3, 1) + 500);
    expect(instantMs('2026-04-01T00:00:00.123Z')).toBe(Date.UTC(2026, 3, 1) + 123);
  });

  it('refuses what names no instant or no real date and time', () => {
    for (const bad of [
      '2026-04-01', // a day, not an instant
      '2026-04-01T00:00:00', // no offset: local to whom?
      '2026-02-30T00:00:00Z',
      '2026-04-01T24:00:00Z',
      '2026-04-01T12:60:00Z',
      '2026-04-01T00:00:00+15:00',
      '2026-04-01T00:00:00.1234Z',
      '1775001600000',
      'yesterday',
      '',
    ]) {
      expect({ bad, ms: instantMs(bad) }).toEqual({ bad, ms: undefined });
    }
  });
});

describe('the window of a score request', () => {
  const query = { start: '2026-01-01T00:00:00+08:00', end: '2026-04-01T00:00:00+08:00' };

  it('is [start, end) as of now by default', () => {
    expect(scoreWindow(query, NOW)).toEqual({
      value: {
        period: { start: Date.UTC(2025, 11, 31, 16), end: Date.UTC(2026, 2, 31, 16) },
        asOf: NOW,
      },
    });
    expect(scoreWindow({ ...query, asOf: '2026-04-01T00:00:00+08:00' }, NOW)).toMatchObject({
      value: { asOf: Date.UTC(2026, 2, 31, 16) },
    });
  });

  it('names the malformed instant', () => {
    expect(scoreWindow({ ...query, start: '2026-01-01' }, NOW)).toEqual({
      problem: expect.objectContaining({ status: 400, code: 'INSTANT_INVALID' }),
    });
    const bad = scoreWindow({ ...query, asOf: '2026-04-31T00:00:00Z' }, NOW);
    expect(bad).toEqual({
      problem: {
        status: 400,
        code: 'INSTANT_INVALID',
        detail: 'asOf must be an ISO 8601 instant with Z or an offset',
      },
    });
  });

  it('refuses a period that does not end after it starts', () => {
    expect(scoreWindow({ start: query.end, end: query.end }, NOW)).toEqual({
      problem: expect.objectContaining({ status: 422, code: 'PERIOD_INVALID' }),
    });
    expect(scoreWindow({ start: query.end, end: query.start }, NOW)).toEqual({
      problem: expect.objectContaining({ status: 422, code: 'PERIOD_INVALID' }),
    });
  });

  it('refuses an as-of before the end (the default too) or after now', () => {
    expect(scoreWindow({ ...query, asOf: '2026-03-31T15:59:59.999Z' }, NOW)).toEqual({
      problem: expect.objectContaining({ status: 422, code: 'AS_OF_BEFORE_END' }),
    });
    expect(scoreWindow(query, Date.UTC(2026, 2, 31))).toEqual({
      problem: expect.objectContaining({ status: 422, code: 'AS_OF_BEFORE_END' }),
    });
    expect(scoreWindow({ ...query, asOf: '2026-04-10T12:00:00.001Z' }, NOW)).toEqual({
      problem: expect.objectContaining({ status: 422, code: 'AS_OF_IN_FUTURE' }),
    });
  });
});

describe('the rated period of a rating', () => {
  it('travels in UTC to the second, so that a score request with either offset finds it', () => {
    expect(ratedPeriod('2026-01-01T00:00+08:00', '2026-04-01T00:00:00.000+08:00')).toEqual({
      value: { periodStart: '2025-12-31T16:00:00Z', periodEnd: '2026-03-31T16:00:00Z' },
    });
  });

  it('refuses fractions of a second, malformed instants and an empty period', () => {
    expect(ratedPeriod('2026-01-01T00:00:00.5Z', '2026-04-01T00:00:00Z')).toEqual({
      problem: expect.objectContaining({ status: 400, code: 'INSTANT_INVALID' }),
    });
    expect(ratedPeriod('2026-01-01T00:00:00Z', '2026-04-01')).toEqual({
      problem: expect.objectContaining({ status: 400, code: 'INSTANT_INVALID' }),
    });
    expect(ratedPeriod('2026-04-01T00:00:00Z', '2026-04-01T08:00:00+08:00')).toEqual({
      problem: expect.objectContaining({ status: 422, code: 'PERIOD_INVALID' }),
    });
  });
});
