import { Period } from '@yipanqi/evaluation';

/**
 * Reading the instants staff and auditors give the evaluation API. An instant
 * must say which instant it is: a date and time with `Z` or an offset
 * (`2026-04-01T00:00:00+08:00`); a plain date or a time without offset is
 * refused, since it would be read in some time zone the caller did not name.
 */

export interface EvaluationProblem {
  status: 400 | 422;
  code: 'INSTANT_INVALID' | 'PERIOD_INVALID' | 'AS_OF_BEFORE_END' | 'AS_OF_IN_FUTURE';
  detail: string;
}

export type Checked<T> = { value: T } | { problem: EvaluationProblem };

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch ms of an ISO 8601 instant with `Z` or an offset, or undefined. The
 * fields are checked, not rolled over as Date.parse would (2026-02-30 is no
 * day, 24:00 no time).
 */
export function instantMs(value: string): number | undefined {
  const m = INSTANT.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const millis = Number((m[7] ?? '').padEnd(3, '0'));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const back = new Date(local);
  const real =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day &&
    back.getUTCHours() === hour &&
    back.getUTCMinutes() === minute &&
    back.getUTCSeconds() === second;
  if (!real) return undefined;
  if (m[8] === undefined) return local;
  const [offsetHours, offsetMinutes] = [Number(m[9]), Number(m[10])];
  if (offsetHours > 14 || offsetMinutes > 59) return undefined;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return m[8] === '+' ? local - offsetMs : local + offsetMs;
}

function invalidInstant(field: string, detail = 'an ISO 8601 instant with Z or an offset') {
  return {
    problem: { status: 400, code: 'INSTANT_INVALID', detail: `${field} must be ${detail}` },
  } as const;
}

/** A period `[start, end)` and the as-of instant its scores are judged at. */
export interface ScoreWindow {
  period: Period;
  asOf: number;
}

/**
 * The window of a score request. `asOf` defaults to now and may be neither
 * before the period's end (items would be judged before they could be
 * decided) nor in the future (an answer that may still come in time would
 * already count as missing).
 */
export function scoreWindow(
  query: { start: string; end: string; asOf?: string },
  now: number,
): Checked<ScoreWindow> {
  const start = instantMs(query.start);
  if (start === undefined) return invalidInstant('start');
  const end = instantMs(query.end);
  if (end === undefined) return invalidInstant('end');
  const asOf = query.asOf === undefined ? now : instantMs(query.asOf);
  if (asOf === undefined) return invalidInstant('asOf');
  if (!(end > start)) {
    return { problem: { status: 422, code: 'PERIOD_INVALID', detail: 'end must be after start' } };
  }
  if (asOf < end) {
    return {
      problem: {
        status: 422,
        code: 'AS_OF_BEFORE_END',
        detail: `asOf ${iso(asOf)} is before the period's end ${iso(end)}`,
      },
    };
  }
  if (asOf > now) {
    return {
      problem: {
        status: 422,
        code: 'AS_OF_IN_FUTURE',
        detail: `asOf ${iso(asOf)} is after now (${iso(now)})`,
      },
    };
  }
  return { value: { period: { start, end }, asOf } };
}

/**
 * The rated period of an `evaluation.rated` as the payload carries it: UTC
 * to the second (`YYYY-MM-DDTHH:MM:SSZ`), so that indicator S finds it again
 * from a score request for the same instants, whatever offset either used.
 */
export function ratedPeriod(
  start: string,
  end: string,
): Checked<{ periodStart: string; periodEnd: string }> {
  const startMs = instantMs(start);
  if (startMs === undefined || startMs % 1000 !== 0) {
    return invalidInstant('periodStart', 'an ISO 8601 instant with Z or an offset, to the second');
  }
  const endMs = instantMs(end);
  if (endMs === undefined || endMs % 1000 !== 0) {
    return invalidInstant('periodEnd', 'an ISO 8601 instant with Z or an offset, to the second');
  }
  if (!(endMs > startMs)) {
    return {
      problem: {
        status: 422,
        code: 'PERIOD_INVALID',
        detail: 'periodEnd must be after periodStart',
      },
    };
  }
  return { value: { periodStart: utcSecond(startMs), periodEnd: utcSecond(endMs) } };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function utcSecond(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
