import { Type } from '@nestjs/common';
import { routeAccess } from '@yipanqi/http-api';
import { createAppLog } from '@yipanqi/observability';
import { cityNodeConfigFromEnv } from './city-node.config';
import { CityNodeModule } from './city-node.module';

/** The only routes anyone may call without a token. Adding one is a decision: write it here. */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /health/live',
  // readiness for load balancers and supervisors: states and counts only
  'GET /health/ready',
  'GET /dashboard',
  'GET /dashboard/:asset',
  // the workbench's built files: code and styles, no data
  'GET /workbench',
  'GET /workbench/*path',
];

describe('access to the city node API', () => {
  const controllers = CityNodeModule.forConfig(
    cityNodeConfigFromEnv({}),
    createAppLog({ app: 'city-node', level: 'silent' }),
  ).controllers as Type[];
  const routes = routeAccess(controllers);

  it('finds the routes it checks', () => {
    expect(routes.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /notices',
        'POST /services',
        'POST /services/:id/acknowledge',
        'POST /benefits/entitlements',
        'POST /notices/:id/acknowledge',
        'POST /exchange/dead-letters/:id/redrive',
        'POST /tasks/:id/complete',
        'POST /certificates',
        'POST /certificates/verifications/:id/answer',
      ]),
    );
  });

  it('names the roles of every route that is not on the public list', () => {
    const unguarded = routes.filter((r) => !r.isPublic && (!r.roles || r.roles.length === 0));
    expect(unguarded.map((r) => r.route)).toEqual([]);
  });

  it('makes public exactly the routes on the public list', () => {
    expect(routes.filter((r) => r.isPublic).map((r) => r.route)).toEqual(PUBLIC_ROUTES);
  });

  it('lets coordinators change migrant records and auditors only read them', () => {
    const roles = Object.fromEntries(
      routes.filter((r) => r.route.includes(' /migrants')).map((r) => [r.route, r.roles]),
    );
    expect(roles).toEqual({
      'POST /migrants/arrivals': ['coordinator'],
      'POST /migrants/arrivals/bulk': ['coordinator'],
      'POST /migrants/:id/departure': ['coordinator'],
      'PATCH /migrants/:id': ['coordinator'],
      'GET /migrants': ['coordinator', 'auditor'],
      'GET /migrants/:id': ['coordinator', 'auditor'],
    });
  });

  it('lets coordinators upload campaign files and auditors follow the imports', () => {
    const roles = Object.fromEntries(
      routes.filter((r) => r.route.includes('imports')).map((r) => [r.route, r.roles]),
    );
    expect(roles).toEqual({
      'POST /campaigns/:campaignId/imports': ['coordinator'],
      'GET /campaigns/:campaignId/imports': ['coordinator', 'auditor'],
      'GET /imports/:id': ['coordinator', 'auditor'],
      'GET /imports/:id/report': ['coordinator', 'auditor'],
    });
  });

  it('leaves exchange operations, token management and the access log to admins', () => {
    const adminOnly = routes.filter(
      (r) =>
        r.route.startsWith('POST /exchange') ||
        r.route.includes('/auth/tokens') ||
        r.route.startsWith('GET /access-log'),
    );
    expect(adminOnly.length).toBeGreaterThan(0);
    for (const r of adminOnly) expect(r.roles).toEqual(['admin']);
  });

  it('leaves certificate work and the verification queue to coordination staff', () => {
    const staffOnly = routes.filter(
      (r) =>
        r.route.startsWith('POST /certificates') ||
        r.route === 'GET /certificates/verifications/queue' ||
        r.route === 'GET /certificates/:id',
    );
    expect(staffOnly.map((r) => r.route).sort()).toEqual([
      'GET /certificates/:id',
      'GET /certificates/verifications/queue',
      'POST /certificates',
      'POST /certificates/verifications',
      'POST /certificates/verifications/:id/answer',
    ]);
    for (const r of staffOnly) expect(r.roles).toEqual(['coordinator']);
  });

  it('declares the verification routes before GET /certificates/:id, which would take them', () => {
    const order = routes.map((r) => r.route);
    expect(order.indexOf('GET /certificates/verifications')).toBeLessThan(
      order.indexOf('GET /certificates/:id'),
    );
    expect(order.indexOf('GET /certificates/verifications/queue')).toBeLessThan(
      order.indexOf('GET /certificates/:id'),
    );
  });

  it('leaves the personal data of services, entitlements and notices to coordinators', () => {
    const details = ['GET /services/:id', 'GET /benefits/entitlements/:id', 'GET /notices/:id'];
    for (const route of details) {
      expect(routes.find((r) => r.route === route)?.roles).toEqual(['coordinator']);
    }
  });

  it('lets every role ask who its token is and read the directory names, which hold no personal data', () => {
    for (const route of ['GET /auth/me', 'GET /directory']) {
      expect(routes.find((r) => r.route === route)?.roles).toEqual([
        'admin',
        'coordinator',
        'auditor',
      ]);
    }
  });

  it('lets coordinators and auditors read scores and ratings, and only coordinators rate', () => {
    const roles = Object.fromEntries(
      routes.filter((r) => r.route.includes(' /evaluation')).map((r) => [r.route, r.roles]),
    );
    expect(roles).toEqual({
      'GET /evaluation/scores': ['coordinator', 'auditor'],
      'GET /evaluation/scores/:partner': ['coordinator', 'auditor'],
      'POST /evaluation/ratings': ['coordinator'],
      'GET /evaluation/ratings': ['coordinator', 'auditor'],
    });
  });
});
