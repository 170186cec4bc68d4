const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/**
 * Epoch milliseconds of an ISO 8601 instant written in UTC (`…Z`, optional
 * milliseconds), or undefined. Strict on purpose: `Date.parse` reads a time
 * without `Z` as local time (scores would depend on the machine's time zone)
 * and rolls 2026-02-30 or 24:00 over to another day; the round trip refuses those.
 */
export function utcInstantMs(value: string): number | undefined {
  if (!UTC_INSTANT.test(value)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19) ? ms : undefined;
}
