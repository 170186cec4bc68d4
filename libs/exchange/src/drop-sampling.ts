/**
 * Which dropped records keep evidence and a log line: all of the first few of
 * each (reason, claimed sender), then one in a thousand. A flood of junk then
 * costs a counter update per record, not a row and a log line per record.
 */
export const DROPS_KEPT_IN_FULL = 20;
export const DROP_SAMPLE_EVERY = 1000;

/** `count` is the number of drops of this kind including this one. */
export function dropIsSampled(count: number): boolean {
  return count <= DROPS_KEPT_IN_FULL || count % DROP_SAMPLE_EVERY === 0;
}
