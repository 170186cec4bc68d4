import { HealthController } from './health.controller';
import { cityNodeConfigFromEnv } from '../city-node.config';
import type { DataSource } from 'typeorm';
import type {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { DirectoryPeerKeys, ExchangeNode } from '@yipanqi/exchange';

describe('city-node health', () => {
  it('answers with the node it serves', () => {
    const controller = new HealthController(
      cityNodeConfigFromEnv({ NODE_CODE: '511500', NODE_NAME: '宜宾市' }),
      {} as ExchangeNode,
      {} as DirectoryPeerKeys,
      {} as DataSource,
      {} as HealthCheckService,
      {} as HealthIndicatorService,
      {} as TypeOrmHealthIndicator,
    );
    expect(controller.live()).toEqual(controller.health());
    expect(controller.health()).toEqual({
      status: 'ok',
      app: 'city-node',
      node: '511500',
      name: '宜宾市',
    });
  });
});
