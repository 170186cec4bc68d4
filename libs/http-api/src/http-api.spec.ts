import { request as httpRequest, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Body, Controller, Delete, Get, HttpCode, Post, Req } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ApiConsumes } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString } from 'class-validator';
import { configureHttpApi } from './http-api';
import { apiTokenHash, bearerToken, newApiToken } from './api-token';
import {
  IsPersonText,
  IsResidentIdNumber,
  IsResidentIdNumberInput,
  residentIdCheckChar,
} from '@yipanqi/contracts';
import { bodyParserProblem, validationProblem } from './problem-details.filter';
import { ProblemError } from './problem';

class Sample {
  @IsString()
  name!: string;

  @IsInt()
  count!: number;
}

class Person {
  @IsResidentIdNumber()
  idNumber!: string;

  @IsString()
  name!: string;
}

class TypedPerson {
  @IsResidentIdNumberInput()
  idNumber!: string;

  @IsString()
  @IsPersonText()
  name!: string;
}

async function problemFor(body: object) {
  const errors = await validate(plainToInstance(Person, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return validationProblem(errors).toProblem();
}

const first17 = '44130219900307123';
const validId = first17 + residentIdCheckChar(first17);
const wrongCheck = first17 + (validId[17] === '0' ? '1' : '0');

describe('validation problems', () => {
  it('name a bad check character specifically, without echoing the number', async () => {
    const problem = await problemFor({ idNumber: wrongCheck, name: 'x' });
    expect(problem.code).toBe('ID_NUMBER_CHECK_DIGIT');
    expect(JSON.stringify(problem)).not.toContain(first17);
  });

  it('name an impossible birth date specifically', async () => {
    const id17 = '44130219900230123'; // 30 February
    const problem = await problemFor({ idNumber: id17 + residentIdCheckChar(id17), name: 'x' });
    expect(problem.code).toBe('ID_NUMBER_BIRTH_DATE');
  });

  it('name unknown fields specifically', async () => {
    const problem = await problemFor({ idNumber: validId, name: 'x', extra: 1 });
    expect(problem.code).toBe('UNKNOWN_FIELD');
  });

  it('name hidden characters in a name specifically, without echoing the name', async () => {
    for (const [name, code] of [
      ['张\u202E伟', 'TEXT_BIDI_OVERRIDE'],
      ['\u200B', 'TEXT_BLANK'],
      ['张\u0007伟', 'TEXT_CONTROL_CHARACTER'],
    ]) {
      const errors = await validate(plainToInstance(TypedPerson, { idNumber: validId, name }));
      const problem = validationProblem(errors).toProblem();
      expect(problem.code).toBe(code);
      expect(JSON.stringify(problem)).not.toContain('伟');
    }
  });

  it('take what staff type: lower-case x, full-width digits, decomposed names', async () => {
    const typed = plainToInstance(TypedPerson, {
      idNumber: '11010519491231002x',
      name: 'Zoe\u0308',
    });
    expect(await validate(typed)).toEqual([]);
    expect(typed).toMatchObject({ idNumber: '11010519491231002X', name: 'Zoë' });
  });

  it('fall back to VALIDATION_FAILED when findings differ, each finding keeping its code', async () => {
    const problem = await problemFor({ idNumber: wrongCheck, name: 7 });
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'idNumber', code: 'ID_NUMBER_CHECK_DIGIT' }),
      expect.objectContaining({ field: 'name', code: 'INVALID' }),
    ]);
  });
});

describe('bearer tokens', () => {
  it('are long random secrets, different every time', () => {
    const a = newApiToken();
    expect(a).toMatch(/^yq_[A-Za-z0-9_-]{43}$/);
    expect(newApiToken()).not.toBe(a);
  });

  it('are stored as a hash that does not reveal them', () => {
    const token = newApiToken();
    expect(apiTokenHash(token)).toBe(apiTokenHash(token));
    expect(apiTokenHash(token)).not.toContain(token.slice(3, 20));
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('problems', () => {
  it('carry a stable code and type', () => {
    const problem = new ProblemError(
      404,
      'TOKEN_NOT_FOUND',
      'No such token',
      'no token x',
    ).toProblem();
    expect(problem).toEqual({
      type: 'urn:yipanqi:problem:TOKEN_NOT_FOUND',
      title: 'No such token',
      status: 404,
      code: 'TOKEN_NOT_FOUND',
      detail: 'no token x',
    });
  });

  it('list every field a validation failure found', async () => {
    const dto = plainToInstance(Sample, { name: 7, count: 'x', extra: true });
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    const problem = validationProblem(errors).toProblem();
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['count', 'extra', 'name']);
  });
});

class ItemDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsObject()
  extra?: Record<string, unknown>;
}

/** A JSON route, bodiless routes, and a route that streams its own text/csv body like the import. */
@Controller()
class SampleController {
  @Post('items')
  create(@Body() item: ItemDto) {
    return item;
  }

  @Get('items')
  list() {
    return [];
  }

  @Delete('items/:id')
  @HttpCode(204)
  remove() {}

  @Post('uploads')
  @ApiConsumes('text/csv')
  async upload(@Req() req: IncomingMessage) {
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    return { bytes };
  }
}

interface Answer {
  status: number;
  type: string | undefined;
  text: string;
  body: Record<string, unknown> | undefined;
}

describe('body-parser errors', () => {
  it.each([
    [{ type: 'entity.parse.failed', status: 400 }, 400, 'MALFORMED_JSON'],
    [{ type: 'entity.too.large', status: 413, limit: 10 }, 413, 'BODY_TOO_LARGE'],
    [
      { type: 'encoding.unsupported', status: 415, encoding: 'gzip' },
      415,
      'UNSUPPORTED_CONTENT_ENCODING',
    ],
    [{ type: 'charset.unsupported', status: 415, charset: 'latin1' }, 415, 'UNSUPPORTED_CHARSET'],
    [{ type: 'request.size.invalid', status: 400 }, 400, 'BAD_REQUEST'],
    [{ type: 'parameters.too.many', status: 413 }, 413, 'BODY_TOO_LARGE'],
  ])('answer %j as %d %s', (err, status, code) => {
    expect(
      bodyParserProblem(Object.assign(new Error('internal text'), err))?.toProblem(),
    ).toMatchObject({ status, code });
  });

  it('never echo the message of one they do not know', () => {
    const err = Object.assign(new Error('secret'), { type: 'entity.verify.failed', status: 403 });
    expect(bodyParserProblem(err)?.toProblem()).toEqual(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(JSON.stringify(bodyParserProblem(err)?.toProblem())).not.toContain('secret');
  });

  it('leave other errors to the filter', () => {
    expect(bodyParserProblem(new Error('x'))).toBeUndefined();
    expect(
      bodyParserProblem(
        Object.assign(new Error('x'), { type: 'stream.not.readable', status: 500 }),
      ),
    ).toBeUndefined();
    expect(bodyParserProblem(new ProblemError(400, 'X', 'x'))).toBeUndefined();
    expect(bodyParserProblem('text')).toBeUndefined();
  });
});

describe('request bodies on a real app (configureHttpApi)', () => {
  let app: NestExpressApplication;
  let port: number;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [SampleController] }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    configureHttpApi(app);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(() => app.close());

  /** Sends exactly these headers and bytes (no client adds a Content-Type of its own). */
  const send = (
    method: string,
    path: string,
    headers: Record<string, string | number> = {},
    body?: string | Buffer,
  ) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method, path, headers, agent: false },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            const type = res.headers['content-type'];
            const json = type?.includes('json') && text !== '';
            resolve({
              status: res.statusCode ?? 0,
              type,
              text,
              body: json ? JSON.parse(text) : undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  /** A body with its length, as most clients send it. */
  const post = (path: string, headers: Record<string, string>, body: string | Buffer) =>
    send('POST', path, { ...headers, 'content-length': Buffer.byteLength(body) }, body);

  const postJson = (body: string | Buffer, headers: Record<string, string> = {}) =>
    post('/items', { 'content-type': 'application/json', ...headers }, body);

  const expectProblem = (res: Answer, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: `urn:yipanqi:problem:${code}` });
    expect(typeof res.body?.title).toBe('string');
    expect(res.body).not.toHaveProperty('stack');
    expect(res.text).not.toMatch(/\bat .+:\d+:\d+/); // no stack frame
  };

  const item = JSON.stringify({ name: '宣传' });

  /** `{"name":"x","extra":…}` nested `depth` levels in all (the outer object is 1). */
  const nested = (depth: number) =>
    `{"name":"x","extra":${'{"a":'.repeat(depth - 2)}{}${'}'.repeat(depth - 2)}}`;

  it('keeps an idle connection open longer than a proxy would (65 s, not Node’s 5 s)', async () => {
    const res = await new Promise<{ keepAlive?: string | string[] }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'GET',
          path: '/missing',
          headers: { connection: 'keep-alive' },
        },
        (answer) => {
          answer.resume();
          answer.on('end', () => resolve({ keepAlive: answer.headers['keep-alive'] }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.keepAlive).toBe('timeout=65');
  });

  describe('still', () => {
    it('takes a JSON body', async () => {
      const res = await postJson(item);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ name: '宣传' });
    });

    it.each(['application/json; charset=utf-8', 'application/json; charset="UTF-8"'])(
      'takes a JSON body sent as %s',
      async (type) => {
        expect((await postJson(item, { 'content-type': type })).status).toBe(201);
      },
    );

    it('takes a JSON body sent chunked', async () => {
      const res = await send(
        'POST',
        '/items',
        {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
        item,
      );
      expect(res.status).toBe(201);
    });

    it('takes Content-Encoding identity', async () => {
      expect((await postJson(item, { 'content-encoding': 'identity' })).status).toBe(201);
    });

    it('answers GET and DELETE without a body, whatever their headers say', async () => {
      expect((await send('GET', '/items')).status).toBe(200);
      expect((await send('GET', '/items', { 'content-encoding': 'gzip' })).status).toBe(200);
      expect((await send('DELETE', '/items/1', { 'content-type': 'text/plain' })).status).toBe(204);
    });

    it('validates a bodiless POST as an empty object, not as a bad media type', async () => {
      expectProblem(
        await send('POST', '/items', { 'content-length': 0 }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('lets the streaming route read its text/csv body', async () => {
      const csv = 'idNumber,name\n1,王五\n';
      const res = await post('/uploads', { 'content-type': 'text/csv; charset=utf-8' }, csv);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ bytes: Buffer.byteLength(csv) });
    });

    it('refuses malformed JSON as MALFORMED_JSON', async () => {
      expectProblem(await postJson('{"name": "x",'), 400, 'MALFORMED_JSON');
      expectProblem(await postJson('"not an object"'), 400, 'MALFORMED_JSON');
      expectProblem(await postJson('[[[[' + '{"a":1,"a":2'), 400, 'MALFORMED_JSON');
    });

    it('refuses a body over 256 KiB as BODY_TOO_LARGE', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(300 * 1024) });
      const declared = await postJson(big);
      expectProblem(declared, 413, 'BODY_TOO_LARGE');
      expect(declared.body?.detail).toBe(`the body is ${big.length} bytes, the limit is 262144`);
      const chunked = await send(
        'POST',
        '/items',
        {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
        big,
      );
      expectProblem(chunked, 413, 'BODY_TOO_LARGE');
      expect(chunked.body?.detail).toBe('the body exceeds the limit of 262144 bytes');
    });

    it('refuses unknown and invalid fields as the ValidationPipe does', async () => {
      expectProblem(await postJson('{"name":"x","priority":1}'), 400, 'UNKNOWN_FIELD');
      expectProblem(await postJson('{"name":7}'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('refuses a compressed body as UNSUPPORTED_CONTENT_ENCODING (415)', () => {
    const compressed: [string, Buffer][] = [
      ['gzip', gzipSync(item)],
      ['deflate', deflateSync(item)],
      ['br', brotliCompressSync(item)],
      ['x-unknown', Buffer.from(item)],
      ['GZIP', gzipSync(item)],
      ['gzip, identity', gzipSync(item)],
    ];

    it.each(compressed)('%s on a JSON route', async (encoding, body) => {
      const res = await postJson(body, { 'content-encoding': encoding });
      expectProblem(res, 415, 'UNSUPPORTED_CONTENT_ENCODING');
    });

    it('gzip on the streaming route too', async () => {
      const body = gzipSync('idNumber,name\n');
      const res = await post(
        '/uploads',
        { 'content-type': 'text/csv', 'content-encoding': 'gzip' },
        body,
      );
      expectProblem(res, 415, 'UNSUPPORTED_CONTENT_ENCODING');
    });
  });

  describe('refuses a JSON body in another charset as UNSUPPORTED_CHARSET (415)', () => {
    it.each([
      ['latin1', Buffer.from(item, 'latin1')],
      ['iso-8859-1', Buffer.from(item, 'latin1')],
      ['utf-16', Buffer.from(item, 'utf16le')],
      ['utf-16le', Buffer.from(item, 'utf16le')],
      ['utf-32', Buffer.from(item)],
      ['utf8', Buffer.from(item)],
      ['no-such-charset', Buffer.from(item)],
    ])('%s', async (charset, body) => {
      const res = await postJson(body, { 'content-type': `application/json; charset=${charset}` });
      expectProblem(res, 415, 'UNSUPPORTED_CHARSET');
    });
  });

  describe('refuses a body that is not JSON as UNSUPPORTED_MEDIA_TYPE (415)', () => {
    it.each([
      ['text/plain', 'text/plain', item],
      ['a form', 'application/x-www-form-urlencoded', 'name=x'],
      [
        'multipart',
        'multipart/form-data; boundary=b',
        '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
      ],
      ['XML', 'application/xml', '<name>x</name>'],
      ['text/csv on a JSON route', 'text/csv', 'name\nx\n'],
      ['a malformed type', 'json', item],
    ])('%s', async (_what, type, body) => {
      expectProblem(
        await post('/items', { 'content-type': type }, body),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('a body without Content-Type', async () => {
      expectProblem(await post('/items', {}, item), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a chunked body without Content-Type', async () => {
      const res = await send('POST', '/items', { 'transfer-encoding': 'chunked' }, item);
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('JSON on the streaming route is parsed and left to the route (the import refuses it)', async () => {
      const res = await post('/uploads', { 'content-type': 'application/json' }, item);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ bytes: 0 });
    });
  });

  describe('refuses JSON deeper than 32 levels as JSON_TOO_DEEP (400)', () => {
    it('takes 32 levels', async () => {
      const res = await postJson(nested(32));
      expect(res.status).toBe(201);
      expect(JSON.stringify(res.body)).toBe(nested(32));
    });

    it.each([33, 1000])('refuses %d levels', async (depth) => {
      expectProblem(await postJson(nested(depth)), 400, 'JSON_TOO_DEEP');
    });

    it('refuses 33 levels of arrays', async () => {
      expectProblem(await postJson('['.repeat(33) + ']'.repeat(33)), 400, 'JSON_TOO_DEEP');
    });
  });

  describe('refuses repeated and prototype keys as VALIDATION_FAILED (400), naming the key', () => {
    it.each([
      ['a repeated key', '{"name":"a","name":"b"}', 'name', 'name'],
      ['a repeated nested key', '{"name":"a","extra":{"k":1,"k":2}}', 'k', 'extra.k'],
      [
        '__proto__ nested',
        '{"name":"a","extra":{"b":{"__proto__":{"admin":true}}}}',
        '__proto__',
        'extra.b.__proto__',
      ],
      [
        '__proto__ spelt with an escape',
        '{"name":"a","\\u005f_proto__":{}}',
        '__proto__',
        '__proto__',
      ],
      [
        'constructor',
        '{"name":"a","extra":{"constructor":{}}}',
        'constructor',
        'extra.constructor',
      ],
      ['prototype', '{"name":"a","extra":{"prototype":{}}}', 'prototype', 'extra.prototype'],
    ])('%s', async (_what, body, key, field) => {
      const res = await postJson(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body?.detail).toContain(`"${key}"`);
      expect(res.body?.errors).toEqual([expect.objectContaining({ field, code: 'INVALID' })]);
    });
  });
});
