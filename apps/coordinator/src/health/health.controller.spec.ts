import { HealthController } from './health.controller';

describe('coordinator health', () => {
  it('answers ok', () => {
    expect(new HealthController().health()).toEqual({ status: 'ok', app: 'coordinator' });
  });
});
