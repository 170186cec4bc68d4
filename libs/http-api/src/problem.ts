/**
 * An RFC 9457 problem: what the API answers for every error. `code` is the
 * stable, documented identifier clients branch on (docs/api-errors.md);
 * `detail` is for people and may change wording.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  /** per-field findings of a validation failure */
  errors?: { field: string; problem: string }[];
  [extension: string]: unknown;
}

export function problemType(code: string): string {
  return `urn:yipanqi:problem:${code}`;
}

/** Thrown by services and controllers; the filter turns it into problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }

  toProblem(): Problem {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...this.extensions,
    };
  }
}
