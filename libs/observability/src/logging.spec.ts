import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import {
  Controller,
  Get,
  Logger,
  Module,
  Param,
  Query,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import type { ExchangeEvent } from '@yipanqi/exchange';
import {
  AppLog,
  appLogger,
  appLogging,
  createAppLog,
  LogLevel,
  LoggingModule,
  logExchangeEvent,
  parseLogLevel,
  requestIdFor,
  requestLine,
  requestLogger,
  requestLogLevel,
} from './logging';

/** A destination that keeps every line written to it. */
class Lines extends Writable {
  readonly text: string[] = [];
  override _write(chunk: Buffer, _encoding: string, next: () => void): void {
    this.text.push(...chunk.toString().split('\n').filter(Boolean));
    next();
  }
  get parsed(): Record<string, unknown>[] {
    return this.text.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/**
 * Out of a request nestjs-pino writes to the root of the first logger made in
 * the process (a module-level singleton; one app per process in production).
 * Each test that reads such lines makes its logger the first again.
 */
function firstAppLogging(level: LogLevel, lines: Lines) {
  __resetOutOfContextForTests();
  return appLogging('test', { node: '441300' }, level, { logTo: lines });
}

describe('parseLogLevel', () => {
  it('is info when LOG_LEVEL is unset or empty', () => {
    expect(parseLogLevel(undefined)).toBe('info');
    expect(parseLogLevel('')).toBe('info');
  });

  it("takes each of pino's levels", () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace']) {
      expect(parseLogLevel(level)).toBe(level);
    }
  });

  it('refuses anything else rather than guess', () => {
    for (const value of ['INFO', 'verbose', 'log', 'silent', ' info']) {
      expect(() => parseLogLevel(value)).toThrow(
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace',
      );
    }
  });
});

describe('requestIdFor', () => {
  const fresh = () => 'fresh';

  it("keeps a caller's plain token", () => {
    for (const id of ['abc', 'A.b_c-9', '0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b', 'x'.repeat(64)]) {
      expect(requestIdFor(id, fresh)).toBe(id);
    }
  });

  it('replaces anything else, so a header cannot put text into the logs', () => {
    for (const id of [undefined, '', 'x'.repeat(65), 'a b', '张三', 'a\nb', '{"a":1}']) {
      expect(requestIdFor(id, fresh)).toBe('fresh');
    }
    expect(requestIdFor(['a', 'b'], fresh)).toBe('fresh');
  });

  it('makes a UUID by default', () => {
    expect(requestIdFor(undefined)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });
});

describe('requestLogLevel', () => {
  it.each([
    ['/tasks/:id', 200, false, 'info'],
    ['/tasks/:id', 302, false, 'info'],
    ['/tasks/:id', 404, false, 'warn'],
    ['(unmatched)', 404, false, 'warn'],
    ['/tasks/:id', 500, false, 'error'],
    ['/tasks/:id', 200, true, 'error'],
    ['/health', 200, false, 'debug'],
    ['/health/live', 200, false, 'debug'],
    ['/health/ready', 200, false, 'debug'],
    ['/metrics', 200, false, 'debug'],
    ['/health/ready', 503, false, 'error'],
    ['/metrics', 401, false, 'warn'],
    ['/healthy', 200, false, 'info'],
  ] as const)('%s %i (failed: %s) → %s', (route, status, failed, level) => {
    expect(requestLogLevel(route, status, failed)).toBe(level);
  });
});

describe('requestLine', () => {
  const req = {
    method: 'GET',
    url: '/migrants?idNumber=511502198806150428',
    headers: { authorization: 'Bearer secret-token' },
    baseUrl: '',
    route: { path: '/migrants' },
  };

  it('holds method, route template, status and duration, never the URL or headers', () => {
    const line = requestLine(req, { statusCode: 200, writableFinished: true }, 12);
    expect(line).toEqual({ method: 'GET', route: '/migrants', status: 200, durationMs: 12 });
    expect(JSON.stringify(line)).not.toMatch(/511502198806150428|secret-token|idNumber/);
  });

  it('says when the client left before the answer, and names no route it did not match', () => {
    expect(
      requestLine({ method: 'POST' }, { statusCode: 200, writableFinished: false }, 3),
    ).toEqual({ method: 'POST', route: '(unmatched)', status: 200, durationMs: 3, aborted: true });
  });
});

describe('createAppLog', () => {
  it('writes one JSON object per line: level label, ISO time, app and its bindings', () => {
    const lines = new Lines();
    const log = createAppLog({
      app: 'city-node',
      bindings: { node: '441300' },
      level: 'info',
      destination: lines,
    });
    log.info({ a: 1 }, 'hello');
    log.debug('not at info');
    expect(lines.text).toHaveLength(1);
    const [line] = lines.parsed;
    expect(line).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      app: 'city-node',
      node: '441300',
      a: 1,
      msg: 'hello',
    });
  });

  it('writes nothing when silent', () => {
    const lines = new Lines();
    createAppLog({ app: 'x', level: 'silent', destination: lines }).error('nothing');
    expect(lines.text).toEqual([]);
  });
});

describe('AppLogger', () => {
  it("sends Nest's start-up detail to debug and keeps the rest at its level", () => {
    const lines = new Lines();
    __resetOutOfContextForTests();
    const root: AppLog = createAppLog({ app: 'x', level: 'debug', destination: lines });
    const nest = appLogger(root);
    nest.log('Mapped {/tasks/:id, GET} route', 'RouterExplorer');
    nest.log('TasksController {/tasks}:', 'RoutesResolver');
    nest.log('CityNodeModule dependencies initialized', 'InstanceLoader');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.warn('careful', 'Exchange');
    expect(lines.parsed.map((l) => [l.level, l.context])).toEqual([
      ['debug', 'RouterExplorer'],
      ['debug', 'RoutesResolver'],
      ['debug', 'InstanceLoader'],
      ['info', 'NestApplication'],
      ['warn', 'Exchange'],
    ]);
  });
});

describe('logExchangeEvent', () => {
  it('logs one info line with the shape-checked fields of the event', () => {
    const lines = new Lines();
    const event: ExchangeEvent = {
      outcome: 'dropped',
      messageId: '张三 13800138000',
      type: 'task.requested',
      from: '441300',
      to: '511500',
      reason: 'UNKNOWN_SENDER',
    };
    logExchangeEvent(createAppLog({ app: 'x', level: 'info', destination: lines }), event);
    expect(lines.parsed).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'exchange dropped',
        event: 'exchange',
        outcome: 'dropped',
        messageId: '(invalid)',
        type: 'task.requested',
        from: '441300',
        to: '511500',
        reason: 'UNKNOWN_SENDER',
      }),
    ]);
    expect(lines.text.join('')).not.toMatch(/张三|13800138000/);
  });
});

@Controller('things')
class ThingsController {
  private readonly logger = new Logger('Things');

  @Get(':id')
  get(@Param('id') id: string, @Query('q') _q?: string): { id: string } {
    // a line logged while handling the request: it must carry the request id
    this.logger.log('looked a thing up');
    return { id };
  }

  @Get()
  list(): never {
    throw new UnauthorizedException();
  }
}

/** One app with the module under test, its lines in `lines`; Nest's own lines too. */
async function appWithLogging(lines: Lines) {
  const { log, nestLogger } = firstAppLogging('debug', lines);
  @Module({ imports: [LoggingModule.forApp(log)], controllers: [ThingsController] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: nestLogger, abortOnError: false });
  app.use(requestLogger(log));
  // like the body checks of libs/http-api: an answer before Nest's own middleware
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (req.headers['content-encoding'] === undefined) return next();
    res.statusCode = 415;
    res.end();
  });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('LoggingModule (a real Nest app)', () => {
  const lines = new Lines();
  let app: Awaited<ReturnType<typeof appWithLogging>>['app'];
  let url: string;
  beforeAll(async () => ({ app, url } = await appWithLogging(lines)));
  afterAll(() => app.close());

  const requestLines = () => lines.parsed.filter((l) => 'status' in l);

  it('logs one line per request with its route template and request id, echoed in the answer', async () => {
    const res = await fetch(`${url}/things/511502198806150428?q=${encodeURIComponent('张三')}`, {
      headers: { authorization: 'Bearer secret-token' },
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const mine = lines.parsed.filter((l) => l.requestId === id);
    expect(mine).toEqual([
      expect.objectContaining({ level: 'info', context: 'Things', msg: 'looked a thing up' }),
      expect.objectContaining({
        level: 'info',
        app: 'test',
        node: '441300',
        method: 'GET',
        route: '/things/:id',
        status: 200,
        durationMs: expect.any(Number) as unknown,
        msg: 'GET /things/:id 200',
      }),
    ]);
    expect(lines.text.join('\n')).not.toMatch(/511502198806150428|张三|%E5|secret-token|q=/);
  });

  it("keeps a caller's request id and replaces one that is not a plain token", async () => {
    const kept = await fetch(`${url}/things/1`, { headers: { 'x-request-id': 'proxy-42' } });
    expect(kept.headers.get('x-request-id')).toBe('proxy-42');
    const replaced = await fetch(`${url}/things/1`, {
      headers: { 'x-request-id': '13800138000 Zhang San' },
    });
    const id = replaced.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLines().map((l) => l.requestId)).toEqual(
      expect.arrayContaining(['proxy-42', id]),
    );
    expect(lines.text.join('\n')).not.toMatch(/Zhang San/);
  });

  it('logs 4xx at warn and names no route for a path no controller has', async () => {
    expect((await fetch(`${url}/things`)).status).toBe(401);
    expect((await fetch(`${url}/nothing/here?id=511502198806150428`)).status).toBe(404);
    expect(requestLines().slice(-2)).toEqual([
      expect.objectContaining({ level: 'warn', route: '/things', status: 401 }),
      expect.objectContaining({ level: 'warn', route: '(unmatched)', status: 404 }),
    ]);
  });

  it('logs a request the app answered before any route or Nest middleware', async () => {
    const res = await fetch(`${url}/things/1`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body: 'x',
    });
    expect(res.status).toBe(415);
    expect(requestLines().at(-1)).toMatchObject({
      level: 'warn',
      method: 'POST',
      route: '(unmatched)',
      status: 415,
      requestId: res.headers.get('x-request-id'),
    });
  });

  it("logged Nest's start-up: detail at debug, the start at info", () => {
    const startUp = lines.parsed.filter((l) => typeof l.context === 'string' && !l.requestId);
    expect(startUp.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual([
      'Starting Nest application...',
      'Nest application successfully started',
    ]);
    expect(startUp.filter((l) => l.context === 'RouterExplorer').map((l) => l.level)).toEqual([
      'debug',
      'debug',
    ]);
  });
});

describe('a start that fails', () => {
  it('throws to the caller and logs the cause as JSON, with no colour codes anywhere', async () => {
    const lines = new Lines();
    const { log, nestLogger } = firstAppLogging('info', lines);
    @Module({
      imports: [LoggingModule.forApp(log)],
      providers: [
        {
          provide: 'BROKEN',
          useFactory: () => {
            throw new Error('the database is not there');
          },
        },
      ],
    })
    class BrokenModule {}
    const written: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await expect(
        NestFactory.create(BrokenModule, { logger: nestLogger, abortOnError: false }),
      ).rejects.toThrow('the database is not there');
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    // nothing went around the app's logger (Nest's ConsoleLogger colours even a pipe)
    expect(written).toEqual([]);
    expect(lines.parsed).toContainEqual(
      expect.objectContaining({
        level: 'error',
        err: expect.objectContaining({ message: 'the database is not there' }) as unknown,
      }),
    );
    expect(lines.text.join('\n')).not.toContain('\x1b');
  });
});
