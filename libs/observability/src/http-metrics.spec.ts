import { routeLabel } from './http-metrics';

describe('routeLabel', () => {
  it('is the route template, never the concrete path', () => {
    expect(routeLabel({ baseUrl: '', route: { path: '/migrants/:id' } })).toBe('/migrants/:id');
  });
  it('names every request no route matched alike', () => {
    expect(routeLabel({})).toBe('(unmatched)');
    // the request logger's own mount route, left on a request no controller took
    expect(routeLabel({ baseUrl: '', route: { path: '/{*splat}' } })).toBe('(unmatched)');
  });
});
