import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { HttpLogger, Options as HttpLogOptions, pinoHttp } from 'pino-http';
import type { ExchangeEvent } from '@yipanqi/exchange';
import { exchangeLogFields } from './exchange-log-line';
import { EVERY_PATH, routeLabel } from './http-metrics';

/** What LOG_LEVEL may say, most severe first (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL: `info` when unset; anything else but a level is a configuration error, not a guess. */
export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** An app's root logger: every line it and its children write carries the app's bindings. */
export type AppLog = pino.Logger;

/** The DI token of the app's own root logger (see LoggingModule). */
export const APP_LOG = Symbol('APP_LOG');

export interface AppLogOptions {
  app: string;
  /** bound into every line, e.g. `{ node: '441300' }` */
  bindings?: Record<string, string>;
  /** `silent` for apps started with `logger: false` (tests) */
  level: LogLevel | 'silent';
  /** stdout when not given; tests collect lines here */
  destination?: pino.DestinationStream;
}

/**
 * One JSON object per line, always: a collector parses what a person would
 * otherwise have to read, and no pretty printer means no colour codes ever.
 * `base` replaces pino's pid and hostname: the orchestrator knows both.
 */
export function createAppLog(options: AppLogOptions): AppLog {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { app: options.app, ...options.bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request id: the caller's `x-request-id` when it is a plain token (a
 * proxy's id lets its lines and ours be joined), else a fresh UUID. Anything
 * longer or with other characters is replaced, so a header cannot smuggle
 * text into the logs.
 */
export function requestIdFor(
  incoming: string | string[] | undefined,
  fresh: () => string = randomUUID,
): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : fresh();
}

/** Probes hit these every few seconds: at info they would drown everything else. */
function isProbe(route: string): boolean {
  return route === '/health' || route.startsWith('/health/') || route === '/metrics';
}

/** 5xx error, 4xx warn, answered probes debug, everything else info. */
export function requestLogLevel(route: string, status: number, failed = false): pino.Level {
  if (failed || status >= 500) return 'error';
  if (status >= 400) return 'warn';
  if (status < 300 && isProbe(route)) return 'debug';
  return 'info';
}

type RoutedRequest = { method?: string; baseUrl?: string; route?: { path?: unknown } };
type Answer = { statusCode: number; writableFinished: boolean };

/** The request line's fields (the request id comes from the request's logger). */
export interface RequestLine {
  method: string;
  /** the matched route's template, never the path: paths and query strings hold ids */
  route: string;
  status: number;
  durationMs: number;
  /** the client went away before the answer was sent */
  aborted?: true;
}

/** What the request line says; never the URL, headers (bearer tokens) or bodies. */
export function requestLine(req: RoutedRequest, res: Answer, durationMs: number): RequestLine {
  return {
    method: req.method ?? 'GET',
    route: routeLabel(req),
    status: res.statusCode,
    durationMs,
    ...(res.writableFinished ? {} : { aborted: true as const }),
  };
}

const requestMessage = (line: RequestLine) => `${line.method} ${line.route} ${line.status}`;

/** pino-http hands the elapsed milliseconds over in an untyped object. */
function durationOf(value: unknown): number {
  return typeof value === 'object' &&
    value !== null &&
    'responseTime' in value &&
    typeof value.responseTime === 'number'
    ? value.responseTime
    : 0;
}

/**
 * pino-http, told to write only what `requestLine` returns: its defaults
 * would serialise the request (URL, headers with the bearer token) and the
 * response. `quiet*Logger` keep the request's child logger to the request id,
 * so a line logged while handling a request carries that id and nothing more.
 */
export function httpLogOptions(log: AppLog): HttpLogOptions<IncomingMessage & RoutedRequest> {
  return {
    logger: log,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    genReqId: (req, res: ServerResponse) => {
      const id = requestIdFor(req.headers['x-request-id']);
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel: (req, res, err) => requestLogLevel(routeLabel(req), res.statusCode, !!err),
    customSuccessObject: (req, res, val: unknown) => requestLine(req, res, durationOf(val)),
    customErrorObject: (req, res, _err, val: unknown) => requestLine(req, res, durationOf(val)),
    customSuccessMessage: (req, res, ms) => requestMessage(requestLine(req, res, ms)),
    customErrorMessage: (req, res) => requestMessage(requestLine(req, res, 0)),
  };
}

/** Nest's per-module, per-controller and per-route lines at start-up (91 of a city node's 95). */
const START_UP_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's logger for an app, on the app's pino root: Nest's lines become JSON
 * lines with their `context`, and inside a request they carry its request id
 * (nestjs-pino keeps the request's logger in async-local storage). Start-up
 * detail goes to debug; "Nest application successfully started" stays info.
 */
export class AppLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && START_UP_DETAIL.has(context)) {
      super.debug(message, ...optionalParams);
    } else {
      super.log(message, ...optionalParams);
    }
  }
}

/**
 * Made outside DI and handed to NestFactory.create: Nest logs from its first
 * line on, and a failed start has nothing buffered to flush into Nest's
 * ConsoleLogger (colour codes, not JSON). Out of a request, nestjs-pino
 * writes to the root of the first app made in the process (a module-level
 * singleton); apps therefore log their own lines through APP_LOG.
 */
export function appLogger(log: AppLog): AppLogger {
  return new AppLogger(new PinoLogger({ pinoHttp: { logger: log } }), {});
}

/** How a caller (main, a test) wants an app to log. */
export interface LogOptions {
  /** `false`: no line at all (tests that do not look at logs) */
  logger?: false;
  /** where the lines go instead of stdout (tests collect them) */
  logTo?: pino.DestinationStream;
}

/** An app's root logger and the Nest logger on it, or `false` to keep Nest quiet too. */
export function appLogging(
  app: string,
  bindings: Record<string, string>,
  level: LogLevel,
  options: LogOptions,
): { log: AppLog; nestLogger: AppLogger | false } {
  const log = createAppLog({
    app,
    bindings,
    level: options.logger === false ? 'silent' : level,
    destination: options.logTo,
  });
  return { log, nestLogger: options.logger === false ? false : appLogger(log) };
}

/** The one line per exchange event, at info: `exchange <outcome>` with shape-checked fields. */
export function logExchangeEvent(log: AppLog, event: ExchangeEvent): void {
  const fields = exchangeLogFields(event);
  log.info(fields, `exchange ${fields.outcome}`);
}

/**
 * Every path, the root included, in Express 5's own syntax: nestjs-pino's
 * default `*` is a legacy path Nest converts (silently in 11.2), and
 * routeLabel must know the exact mount path to tell it from a route of ours
 * (Nest mounts middleware as a route, which stays on unmatched requests).
 */
const ALL_ROUTES = [{ path: EVERY_PATH, method: RequestMethod.ALL }];

/**
 * The request logger (pino-http), for the app to mount with `app.use` before
 * any other middleware: Nest mounts a module's middleware only at init,
 * after the app's own, and the body checks (415, 413, malformed JSON) answer
 * before that, so their requests would get no line.
 */
export function requestLogger(log: AppLog): HttpLogger<IncomingMessage & RoutedRequest> {
  return pinoHttp(httpLogOptions(log));
}

/**
 * Provides the app's root as APP_LOG, and nestjs-pino's binding of the
 * request's logger (`useExisting`: the one requestLogger made) for Nest's
 * lines logged while a request is handled.
 */
@Module({})
export class LoggingModule {
  static forApp(log: AppLog): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: { logger: log },
          useExisting: true,
          forRoutes: ALL_ROUTES,
        }),
      ],
      providers: [{ provide: APP_LOG, useValue: log }],
      exports: [APP_LOG],
    };
  }
}
