import { ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ProblemError } from './problem';
import { ProblemDetailsFilter, validationProblem } from './problem-details.filter';

/** JSON bodies above this are refused 413 before any handler runs. */
export const JSON_BODY_LIMIT = '256kb';

/**
 * The HTTP conventions shared by every Yipanqi app: strict DTO validation
 * (unknown fields refused), problem+json errors, a body size limit. The auth
 * guard is registered by each app module as APP_GUARD.
 */
export function configureHttpApi(app: NestExpressApplication): void {
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.use(malformedJsonProblem);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationProblem,
    }),
  );
}

/**
 * Express error middleware right after the JSON parser. Nest would turn the
 * parser's SyntaxError into a plain 400; naming it keeps the code specific.
 */
function malformedJsonProblem(
  err: unknown,
  _req: unknown,
  _res: unknown,
  next: (err?: unknown) => void,
): void {
  const parseFailed = (err as { type?: string } | undefined)?.type === 'entity.parse.failed';
  next(
    parseFailed
      ? new ProblemError(
          400,
          'MALFORMED_JSON',
          'Malformed JSON',
          'the request body is not valid JSON',
        )
      : err,
  );
}
