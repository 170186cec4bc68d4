import { ProblemError } from '@yipanqi/http-api';
import { campaignDefinition, resultAsOf } from './campaign-rules';

const LISTED = new Set(['441300', '511500', '440300']);
const request = {
  name: '2026 年第一季度互评',
  periodStart: '2026-01-01T00:00:00Z',
  periodEnd: '2026-04-01T00:00:00Z',
  participants: ['511500', '441300'],
};

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (err) {
    if (err instanceof ProblemError) return err.code;
    throw err;
  }
  return undefined;
}

describe('campaign rules', () => {
  it('reads the period strictly and sorts the participants', () => {
    expect(campaignDefinition(request, LISTED)).toEqual({
      name: request.name,
      period: { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 3, 1) },
      participants: ['441300', '511500'],
      weights: null,
    });
  });

  it.each([
    [{ periodEnd: '2026-04-01T00:00:00' }, 'PERIOD_INVALID'],
    [{ periodEnd: '2026-02-30T00:00:00Z' }, 'PERIOD_INVALID'],
    [{ periodEnd: request.periodStart }, 'PERIOD_INVALID'],
    [{ participants: ['441300'] }, 'TOO_FEW_PARTICIPANTS'],
    [{ participants: ['441300', '511500', '441300'] }, 'PARTICIPANT_REPEATED'],
    [{ participants: ['441300', '110000'] }, 'UNKNOWN_PARTICIPANT'],
    [{ weights: { R: 0, V: 0, T: 0, Q: 0, S: 0 } }, 'WEIGHTS_ALL_ZERO'],
  ])('refuses %j with %s', (change, code) => {
    expect(codeOf(() => campaignDefinition({ ...request, ...change }, LISTED))).toBe(code);
  });

  it('keeps only the five weights of a campaign override', () => {
    const weights = { R: 40, V: 20, T: 20, Q: 20, S: 0 };
    expect(campaignDefinition({ ...request, weights }, LISTED).weights).toEqual(weights);
  });

  it('takes as-of between the period end and now, now by default', () => {
    const period = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 3, 1) };
    const now = Date.UTC(2026, 3, 8);
    expect(resultAsOf(undefined, period, now)).toBe(now);
    expect(resultAsOf('2026-04-01T00:00:00Z', period, now)).toBe(period.end);
    expect(codeOf(() => resultAsOf('2026-03-31T23:59:59Z', period, now))).toBe(
      'AS_OF_BEFORE_PERIOD_END',
    );
    expect(codeOf(() => resultAsOf('2026-04-09T00:00:00Z', period, now))).toBe('AS_OF_IN_FUTURE');
    expect(codeOf(() => resultAsOf('yesterday', period, now))).toBe('AS_OF_INVALID');
  });
});
