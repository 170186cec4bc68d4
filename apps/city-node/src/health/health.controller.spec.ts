import { HealthController } from './health.controller';
import { cityNodeConfigFromEnv } from '../city-node.config';

describe('city-node health', () => {
  it('answers with the node it serves', () => {
    const controller = new HealthController(
      cityNodeConfigFromEnv({ NODE_CODE: '511500', NODE_NAME: '宜宾市' }),
    );
    expect(controller.health()).toEqual({
      status: 'ok',
      app: 'city-node',
      node: '511500',
      name: '宜宾市',
    });
  });
});
