/**
 * A finding of a flow rule. Staff get it as a problem (status and code); the
 * same finding about a received message becomes the detail of a signed
 * SCHEMA_INVALID rejection.
 */
export interface RuleProblem {
  status: 404 | 409 | 422;
  code: string;
  detail: string;
}

export function ruleProblem(
  status: RuleProblem['status'],
  code: string,
  detail: string,
): RuleProblem {
  return { status, code, detail };
}

/** The calendar day in China Standard Time (UTC+8, no daylight saving) of an instant. */
export function chinaDay(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
}
