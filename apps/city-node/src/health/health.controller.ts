import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '@yipanqi/http-api';
import { CITY_NODE_CONFIG } from '../tokens';
import type { CityNodeConfig } from '../city-node.config';

@Controller('health')
export class HealthController {
  constructor(@Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig) {}

  @Get()
  @Public()
  health() {
    return {
      status: 'ok',
      app: 'city-node',
      node: this.config.nodeCode,
      name: this.config.nodeName,
    };
  }
}
