import type { OpenAPIObject } from '@nestjs/swagger';
import { describeAccessAndProblems } from './openapi-access';

function document(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    components: { schemas: { SendNoticeDto: { type: 'object' } } },
    paths: {
      '/health': { get: { responses: { '200': { description: '' } } } },
      '/notices': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '202': { description: 'sent' } },
        },
        get: {
          parameters: [{ name: 'limit', in: 'query' }],
          responses: { '200': { description: '' } },
        },
      },
      '/notices/{id}/acknowledge': {
        post: {
          parameters: [{ name: 'id', in: 'path', required: true }],
          responses: { '200': { description: '' } },
        },
      },
    },
  };
}

const ROUTES = [
  { route: 'GET /health', roles: undefined, isPublic: true },
  { route: 'POST /notices', roles: ['coordinator'], isPublic: false },
  { route: 'GET /notices', roles: ['coordinator', 'auditor'], isPublic: false },
  { route: 'POST /notices/:id/acknowledge', roles: ['coordinator'], isPublic: false },
];

describe('describeAccessAndProblems', () => {
  const described = describeAccessAndProblems(document(), ROUTES);
  const op = (path: string, method: 'get' | 'post') => described.paths[path][method];

  it('marks guarded routes with the bearer scheme and their roles, public ones with none', () => {
    expect(op('/notices', 'get')).toMatchObject({
      security: [{ bearer: [] }],
      'x-roles': ['coordinator', 'auditor'],
    });
    expect(op('/notices/{id}/acknowledge', 'post')).toMatchObject({ 'x-roles': ['coordinator'] });
    expect(op('/health', 'get')?.security).toEqual([]);
    expect(op('/health', 'get')).not.toHaveProperty('x-roles');
  });

  it('lists the problem answers each route can give, keeping its own answers', () => {
    const codes = (path: string, method: 'get' | 'post') =>
      Object.keys(op(path, method)?.responses ?? {}).sort();
    expect(codes('/health', 'get')).toEqual(['200', 'default']);
    expect(codes('/notices', 'post')).toEqual(['202', '400', '401', '403', '413', 'default']);
    expect(codes('/notices', 'get')).toEqual(['200', '400', '401', '403', 'default']);
    expect(codes('/notices/{id}/acknowledge', 'post')).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      'default',
    ]);
    expect(op('/notices', 'post')?.responses['202']).toEqual({ description: 'sent' });
    expect(op('/notices', 'post')?.responses['403']).toMatchObject({
      description: expect.stringContaining('coordinator') as string,
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      },
    });
  });

  it('adds the problem schema beside the existing ones', () => {
    expect(Object.keys(described.components?.schemas ?? {})).toEqual(['SendNoticeDto', 'Problem']);
    expect(described.components?.schemas?.Problem).toMatchObject({
      required: ['type', 'title', 'status', 'code'],
    });
  });
});
