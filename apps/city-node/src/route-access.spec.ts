import { Type } from '@nestjs/common';
import { routeAccess } from '@yipanqi/http-api';
import { cityNodeConfigFromEnv } from './city-node.config';
import { CityNodeModule } from './city-node.module';

/** The only routes anyone may call without a token. Adding one is a decision: write it here. */
const PUBLIC_ROUTES = ['GET /health'];

describe('access to the city node API', () => {
  const controllers = CityNodeModule.forConfig(cityNodeConfigFromEnv({})).controllers as Type[];
  const routes = routeAccess(controllers);

  it('finds the routes it checks', () => {
    expect(routes.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /notices',
        'POST /exchange/dead-letters/:id/redrive',
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
});
