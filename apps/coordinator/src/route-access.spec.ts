import { Type } from '@nestjs/common';
import { routeAccess } from '@yipanqi/http-api';
import { createAppLog } from '@yipanqi/observability';
import { coordinatorConfigFromEnv } from './coordinator.config';
import { CoordinatorModule } from './coordinator.module';

/**
 * The only routes anyone may call without a token. Adding one is a decision:
 * write it here. A registration request is public because it changes nothing
 * until an admin approves it.
 */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /health/live',
  // readiness for load balancers and supervisors: states only
  'GET /health/ready',
  'GET /directory/coordinator-key',
  'POST /registrations',
];

describe('access to the coordinator API', () => {
  const controllers = CoordinatorModule.forConfig(
    coordinatorConfigFromEnv({}),
    createAppLog({ app: 'coordinator', level: 'silent' }),
  ).controllers as Type[];
  const routes = routeAccess(controllers);

  it('finds the routes it checks', () => {
    expect(routes.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /nodes',
        'POST /nodes/:code/keys',
        'POST /registrations/:id/approve',
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

  it('leaves every change of the directory to admins', () => {
    const changes = routes.filter(
      (r) => !r.isPublic && r.route.startsWith('POST') && !r.route.startsWith('POST /campaigns'),
    );
    expect(changes.length).toBeGreaterThanOrEqual(6);
    for (const r of changes) expect(r.roles).toEqual(['admin']);
  });

  it('lets every role read the directory', () => {
    for (const route of ['GET /nodes', 'GET /nodes/:code']) {
      expect(routes.find((r) => r.route === route)?.roles).toEqual([
        'admin',
        'coordinator',
        'auditor',
      ]);
    }
  });

  it('leaves campaigns to the coordinating office, and lets auditors read them', () => {
    const campaigns = routes.filter((r) => r.route.includes(' /campaigns'));
    expect(campaigns.map((r) => [r.route, r.roles])).toEqual([
      ['POST /campaigns', ['coordinator']],
      ['GET /campaigns', ['coordinator', 'auditor']],
      ['GET /campaigns/:id', ['coordinator', 'auditor']],
      ['POST /campaigns/:id/results', ['coordinator']],
      ['GET /campaigns/:id/results/:resultId/evidence', ['coordinator', 'auditor']],
    ]);
  });
});
