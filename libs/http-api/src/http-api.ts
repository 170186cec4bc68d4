import type { IncomingMessage, Server } from 'node:http';
import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  ValidationPipe,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DECORATORS } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { jsonShapeProblem } from './json-body';
import {
  bodyParserProblem,
  ProblemDetailsFilter,
  unsupportedCharset,
  unsupportedContentEncoding,
  unsupportedMediaType,
  validationProblem,
} from './problem-details.filter';

/** JSON bodies above this are refused 413 before any handler runs. */
export const JSON_BODY_LIMIT = '256kb';

/** The one media type the JSON parser reads (its `type`, matched as body-parser matches it). */
const JSON_MEDIA_TYPE = 'application/json';

/**
 * Bodies no parser reads: a route streams them itself and checks them (the
 * campaign import reads `text/csv`). Only routes that declare the type with
 * `@ApiConsumes` receive them, see StreamedBodyInterceptor.
 */
export const STREAMED_MEDIA_TYPES: readonly string[] = ['text/csv'];

/** The request as Express hands it to middleware: `is` is type-is, as body-parser uses it. */
interface ExpressRequest extends IncomingMessage {
  is(types: readonly string[]): string | false | null;
}

/**
 * The HTTP conventions shared by every Yipanqi app: strict DTO validation
 * (unknown fields refused), problem+json errors, and request bodies that are
 * JSON (UTF-8, uncompressed, at most 256 KiB, 32 levels deep, no repeated or
 * prototype keys) unless a route streams its own. The auth guard is
 * registered by each app module as APP_GUARD.
 */
export function configureHttpApi(app: NestExpressApplication): void {
  keepIdleConnections(app.getHttpServer());
  app.use(refuseUnreadableBody);
  app.useBodyParser('json', {
    type: JSON_MEDIA_TYPE,
    limit: JSON_BODY_LIMIT,
    // refuseUnreadableBody already refuses compressed bodies; with this the
    // parser never decompresses either (no zip bombs), whatever runs before it
    inflate: false,
    // Nest replaces `verify` when an app is created with `rawBody: true`:
    // the apps must not set it, or these checks are gone
    verify: verifyJsonBody,
  });
  app.use(parserErrorProblem);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalInterceptors(new StreamedBodyInterceptor(new Reflector()));
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
 * Node closes an idle keep-alive connection after 5 s. A client pool or a
 * reverse proxy that sends its next request just as the node closes gets
 * "socket hang up" for a request the node never saw; a node whose event loop
 * was busy for a while closes connections that already hold the next request.
 * Idle connections therefore stay open past the usual proxy idle timeout (60 s),
 * so the client side always closes first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // must exceed keepAliveTimeout, or a slow header on a reused connection is cut first
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

/**
 * Express middleware before the JSON parser. A body that neither the parser
 * nor a streaming route would read is refused here, unread; without this it
 * reached the handler as no body at all (or, for forms, was parsed by the
 * urlencoded parser Nest adds).
 */
function refuseUnreadableBody(
  req: ExpressRequest,
  _res: unknown,
  next: (err?: unknown) => void,
): void {
  if (!hasBody(req)) return next();
  // compressed bodies are refused for every route: the CSV import would
  // otherwise read the compressed bytes as its file
  const encoding = (req.headers['content-encoding'] || 'identity').trim().toLowerCase();
  if (encoding !== 'identity') return next(unsupportedContentEncoding(encoding));
  if (req.is([JSON_MEDIA_TYPE]) || req.is(STREAMED_MEDIA_TYPES)) return next();
  next(unsupportedMediaType(req.headers['content-type']));
}

/**
 * A body is there when it has a length above 0 or comes chunked. (type-is
 * also counts `Content-Length: 0`, which clients send for a bodiless POST.)
 */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0
  );
}

/**
 * body-parser's `verify` hook: runs on the raw bytes, before JSON.parse.
 * `charset` is what the parser would decode with (the header's, else
 * utf-8). body-parser itself refuses charsets not starting `utf-`; UTF-16
 * and UTF-32 it would decode, but JSON on the wire is UTF-8 (RFC 8259).
 * What this throws reaches the error middleware as is, with `type`
 * `entity.verify.failed` added.
 */
function verifyJsonBody(_req: unknown, _res: unknown, body: Buffer, charset: string): void {
  if (charset !== 'utf-8') throw unsupportedCharset(charset);
  const problem = jsonShapeProblem(body.toString('utf8'));
  if (problem) throw problem;
}

/**
 * Express error middleware right after the JSON parser: gives its errors
 * their problem. Without it Nest would turn the parser's SyntaxError into a
 * plain 400 BAD_REQUEST before the filter saw it.
 */
function parserErrorProblem(
  err: unknown,
  _req: unknown,
  _res: unknown,
  next: (err?: unknown) => void,
): void {
  next(bodyParserProblem(err) ?? err);
}

/**
 * A streamed body (see STREAMED_MEDIA_TYPES) passes the middleware unread,
 * so a JSON route would see no body and validate `{}`. It is let through
 * only to a route whose OpenAPI description says it consumes that type.
 */
@Injectable()
export class StreamedBodyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<ExpressRequest>();
      const streamed = hasBody(req) && req.is(STREAMED_MEDIA_TYPES);
      if (streamed) {
        const consumes =
          this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [
            context.getHandler(),
            context.getClass(),
          ]) ?? [];
        if (!consumes.includes(streamed)) throw unsupportedMediaType(req.headers['content-type']);
      }
    }
    return next.handle();
  }
}
