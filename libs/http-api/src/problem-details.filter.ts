import { RESIDENT_ID_CONSTRAINT, residentIdProblem } from '@yipanqi/contracts';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { Problem, ProblemError, problemType } from './problem';

/** Stable codes for the errors Nest and Express raise themselves. */
const CODE_BY_STATUS: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', 'Bad request'],
  401: ['UNAUTHENTICATED', 'Authentication required'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_ALLOWED', 'Method not allowed'],
  409: ['CONFLICT', 'Conflict'],
  413: ['BODY_TOO_LARGE', 'Request body too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  422: ['UNPROCESSABLE', 'Unprocessable request'],
  429: ['TOO_MANY_REQUESTS', 'Too many requests'],
};

/** Errors body-parser raises before a route runs (express passes them on as-is). */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  length?: number;
}

/**
 * Answers every error as RFC 9457 problem+json with a stable `code`. Internal
 * errors are logged by the server and answered without detail: their
 * messages may contain data that must not leave the node.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const problem = this.toProblem(exception);
    const response = host.switchToHttp().getResponse<{
      status(code: number): { type(t: string): { send(body: string): void } };
      setHeader(name: string, value: string): void;
    }>();
    if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof ProblemError) return exception.toProblem();
    const bodyError = exception as BodyParserError;
    if (bodyError?.type === 'entity.too.large') {
      return problem(
        413,
        'BODY_TOO_LARGE',
        'Request body too large',
        `the body is ${bodyError.length} bytes, the limit is ${bodyError.limit}`,
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const [code, title] = CODE_BY_STATUS[status] ?? ['HTTP_ERROR', 'Request failed'];
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? response.message
          : exception.message;
      return problem(
        status,
        code,
        title,
        Array.isArray(message) ? message.join('; ') : String(message),
      );
    }
    this.logger.error((exception as Error)?.stack ?? String(exception));
    return problem(500, 'INTERNAL', 'Internal error', 'the node could not complete the request');
  }
}

function problem(status: number, code: string, title: string, detail?: string): Problem {
  return { type: problemType(code), title, status, code, ...(detail ? { detail } : {}) };
}

/** ValidationPipe exceptionFactory: one problem listing every field that failed. */
export function validationProblem(errors: ValidationError[]): ProblemError {
  const findings: { field: string; code: string; problem: string }[] = [];
  const walk = (list: ValidationError[], prefix: string) => {
    for (const e of list) {
      const field = prefix + e.property;
      for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
        findings.push({ field, code: findingCode(constraint, e.value), problem: message });
      }
      walk(e.children ?? [], `${field}.`);
    }
  };
  walk(errors, '');
  // One specific finding (a bad check digit) is worth a specific code; a mix is VALIDATION_FAILED.
  const codes = new Set(findings.map((f) => f.code));
  const [only] = codes;
  const code = codes.size === 1 && only !== 'INVALID' ? only : 'VALIDATION_FAILED';
  return new ProblemError(
    400,
    code,
    'The request is not valid',
    findings.map((f) => f.problem).join('; '),
    { errors: findings },
  );
}

/** The stable code of one finding: ID numbers say what is wrong with them, the rest is INVALID. */
function findingCode(constraint: string, value: unknown): string {
  if (constraint === RESIDENT_ID_CONSTRAINT) {
    return (typeof value === 'string' && residentIdProblem(value)?.code) || 'ID_NUMBER_FORMAT';
  }
  if (constraint === 'whitelistValidation') return 'UNKNOWN_FIELD';
  return 'INVALID';
}
