import {
  PERSON_TEXT_CONSTRAINT,
  personTextProblem,
  RESIDENT_ID_CONSTRAINT,
  residentIdProblem,
} from '@yipanqi/contracts';
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
    const parserProblem = bodyParserProblem(exception);
    if (parserProblem) return parserProblem.toProblem();
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

/**
 * The problem for an error body-parser raised (an http-errors error with a
 * `type`; Express passes it on as is), or undefined for any other error.
 * Every 4xx of the parser gets a problem, so none ends as a 500; its
 * message is not echoed beyond the known cases.
 */
export function bodyParserProblem(err: unknown): ProblemError | undefined {
  if (typeof err !== 'object' || err === null || err instanceof ProblemError) return undefined;
  const type = property(err, 'type');
  const status = property(err, 'status');
  if (typeof type !== 'string' || typeof status !== 'number') return undefined;
  switch (type) {
    case 'entity.parse.failed':
      return new ProblemError(
        400,
        'MALFORMED_JSON',
        'Malformed JSON',
        'the request body is not valid JSON',
      );
    case 'entity.too.large': {
      // `length` is the declared Content-Length; a chunked body has none
      const length = property(err, 'length');
      const limit = String(property(err, 'limit'));
      return new ProblemError(
        413,
        'BODY_TOO_LARGE',
        'Request body too large',
        typeof length === 'number'
          ? `the body is ${length} bytes, the limit is ${limit}`
          : `the body exceeds the limit of ${limit} bytes`,
      );
    }
    case 'encoding.unsupported':
      return unsupportedContentEncoding(String(property(err, 'encoding')));
    case 'charset.unsupported':
      return unsupportedCharset(String(property(err, 'charset')));
  }
  if (status < 400 || status > 499) return undefined;
  const [code, title] = CODE_BY_STATUS[status] ?? ['BAD_REQUEST', 'Bad request'];
  return new ProblemError(status, code, title, 'the request body could not be read');
}

function property(value: object, name: string): unknown {
  return Reflect.get(value, name);
}

/** A compressed (or otherwise encoded) body: refused rather than inflated, so no zip bombs. */
export function unsupportedContentEncoding(encoding: string): ProblemError {
  return new ProblemError(
    415,
    'UNSUPPORTED_CONTENT_ENCODING',
    'Unsupported content encoding',
    `the body is sent with Content-Encoding ${JSON.stringify(encoding)}; send it uncompressed`,
  );
}

/** A JSON body in a charset other than UTF-8. */
export function unsupportedCharset(charset: string): ProblemError {
  return new ProblemError(
    415,
    'UNSUPPORTED_CHARSET',
    'Unsupported charset',
    `the body's charset is ${JSON.stringify(charset)}; JSON bodies must be UTF-8`,
  );
}

/** A body of a type the route does not read. */
export function unsupportedMediaType(contentType: string | undefined): ProblemError {
  const sent =
    contentType === undefined ? 'has no Content-Type' : `is ${JSON.stringify(contentType)}`;
  return new ProblemError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Unsupported media type',
    `the body's Content-Type ${sent}; send application/json (a route that takes another type says so in its OpenAPI description)`,
  );
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
  if (constraint === PERSON_TEXT_CONSTRAINT) {
    return (typeof value === 'string' && personTextProblem(value)?.code) || 'INVALID';
  }
  if (constraint === 'whitelistValidation') return 'UNKNOWN_FIELD';
  return 'INVALID';
}
