/**
 * The city node's HTTP conventions on a running node: tokens and roles, and
 * every bad request answered as problem+json with a stable code — with no
 * change to what the node holds.
 */
import request from 'supertest';
import { OutboxMessage } from '@yipanqi/exchange';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { bearer, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';

const HUIZHOU = '441300';
const YIBIN = '511500';

const validNotice = {
  to: YIBIN,
  category: 'policy',
  domain: 'publicity',
  title: '通报',
  text: '宣传教育活动安排',
};

describe('city node HTTP API', () => {
  let net: TestNetwork;
  let node: TestNode;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU], [HUIZHOU, YIBIN]);
    node = net.nodes[HUIZHOU];
  });

  afterAll(() => net.stop());

  const nothingStored = async () => {
    expect(await node.db.getRepository(Notice).count()).toBe(0);
    expect(await node.db.getRepository(OutboxMessage).count()).toBe(0);
  };

  const expectProblem = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: `urn:yipanqi:problem:${code}` });
    expect(typeof res.body.title).toBe('string');
  };

  it('answers health without a token', async () => {
    await request(node.url).get('/health').expect(200);
  });

  it('describes its routes in OpenAPI without a token', async () => {
    const res = await request(node.url).get('/api/docs-json').expect(200);
    const paths = Object.keys((res.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/agreements', '/agreements/{id}/countersign', '/notices']),
    );
  });

  it('tells in OpenAPI who may call each route and what problems it answers', async () => {
    type Operation = {
      security?: unknown[];
      'x-roles'?: string[];
      responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
    };
    const doc = (await request(node.url).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ route: `${method} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThan(50);
    const open = operations.filter(({ op }) => op.security?.length === 0).map((o) => o.route);
    expect(open).toEqual(['get /health', 'get /health/live', 'get /health/ready']);
    for (const { route, op } of operations.filter((o) => !o.route.startsWith('get /health'))) {
      expect({ route, security: op.security }).toEqual({ route, security: [{ bearer: [] }] });
      expect(op['x-roles']?.length).toBeGreaterThan(0);
      for (const status of ['401', '403', 'default']) {
        expect(op.responses[status]?.content?.['application/problem+json'].schema.$ref).toBe(
          '#/components/schemas/Problem',
        );
      }
    }
    const tasks = doc.paths['/tasks'];
    expect(tasks.post['x-roles']).toEqual(['coordinator']);
    expect(tasks.get['x-roles']).toEqual(['coordinator', 'auditor']);
    expect(Object.keys(tasks.post.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '413']),
    );
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'code']);
  });

  it.each([
    ['no token', undefined, 401, 'UNAUTHENTICATED'],
    ['an unknown token', 'Bearer yq_not-a-real-token', 401, 'TOKEN_INVALID'],
    ['a malformed header', 'Token abc', 401, 'UNAUTHENTICATED'],
  ])('refuses %s', async (_what, header, status, code) => {
    const req = request(node.url).post('/notices');
    if (header) req.set('Authorization', header);
    const res = await req.send(validNotice);
    expectProblem(res, status, code);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    await nothingStored();
  });

  it.each([
    ['an auditor sending a notice', 'auditor', 'post', '/notices'],
    ['an admin sending a notice', 'admin', 'post', '/notices'],
    ['a coordinator reading the exchange monitor', 'coordinator', 'get', '/exchange/streams'],
    ['a coordinator issuing tokens', 'coordinator', 'post', '/auth/tokens'],
    ['an auditor re-driving a dead letter', 'auditor', 'post', '/exchange/dead-letters/1/redrive'],
  ] as const)('forbids %s', async (_what, role, method, path) => {
    const res = await request(node.url)
      [method](path)
      .set('Authorization', bearer(node, role))
      .send(method === 'post' ? validNotice : undefined);
    expectProblem(res, 403, 'FORBIDDEN');
    await nothingStored();
  });

  it('refuses malformed JSON', async () => {
    const res = await request(node.url)
      .post('/notices')
      .set('Authorization', bearer(node, 'coordinator'))
      .set('Content-Type', 'application/json')
      .send('{"to": "511500",');
    expectProblem(res, 400, 'MALFORMED_JSON');
    await nothingStored();
  });

  it('refuses unknown fields and wrong types, naming each field', async () => {
    const res = await request(node.url)
      .post('/notices')
      .set('Authorization', bearer(node, 'coordinator'))
      .send({ ...validNotice, title: 42, priority: 'high' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    const fields = [
      ...new Set((res.body.errors as { field: string }[]).map((e) => e.field)),
    ].sort();
    expect(fields).toEqual(['priority', 'title']);
    await nothingStored();
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await request(node.url)
      .post('/notices')
      .set('Authorization', bearer(node, 'coordinator'))
      .send({ ...validNotice, text: 'x'.repeat(300 * 1024) });
    expectProblem(res, 413, 'BODY_TOO_LARGE');
    await nothingStored();
  });

  it('refuses a notice to a node it has no keys for', async () => {
    const res = await request(node.url)
      .post('/notices')
      .set('Authorization', bearer(node, 'coordinator'))
      .send({ ...validNotice, to: '110100' });
    expectProblem(res, 422, 'UNKNOWN_PARTNER');
    await nothingStored();
  });

  it('refuses a notice whose encrypted payload would exceed the 64 KiB exchange limit', async () => {
    // 20,000 Chinese characters pass the DTO but are 60 KB of UTF-8, ~80 KB once encrypted
    const res = await request(node.url)
      .post('/notices')
      .set('Authorization', bearer(node, 'coordinator'))
      .send({ ...validNotice, text: '宣'.repeat(20000) });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.body.detail).toMatch(/limit 65536/);
    await nothingStored();
  });

  it('answers unknown routes with a problem', async () => {
    const res = await request(node.url)
      .get('/no-such-route')
      .set('Authorization', bearer(node, 'admin'));
    expectProblem(res, 404, 'NOT_FOUND');
  });

  it('lets an admin issue a token that works at once and stops working when revoked', async () => {
    const issued = await request(node.url)
      .post('/auth/tokens')
      .set('Authorization', bearer(node, 'admin'))
      .send({ role: 'auditor', label: '审计 王五' })
      .expect(201);
    expect(issued.body).toMatchObject({ role: 'auditor', label: '审计 王五' });
    const token = issued.body.token as string;

    await request(node.url).get('/notices').set('Authorization', `Bearer ${token}`).expect(200);

    const listed = await request(node.url)
      .get('/auth/tokens')
      .set('Authorization', bearer(node, 'admin'))
      .expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    await request(node.url)
      .delete(`/auth/tokens/${issued.body.tokenId}`)
      .set('Authorization', bearer(node, 'admin'))
      .expect(204);
    const after = await request(node.url).get('/notices').set('Authorization', `Bearer ${token}`);
    expectProblem(after, 401, 'TOKEN_INVALID');
  });

  it('refuses a token for a role that does not exist', async () => {
    const res = await request(node.url)
      .post('/auth/tokens')
      .set('Authorization', bearer(node, 'admin'))
      .send({ role: 'superuser', label: 'x' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });
});
