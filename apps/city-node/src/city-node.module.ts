import { DynamicModule, Module } from '@nestjs/common';
import { CityNodeConfig } from './city-node.config';
import { HealthController } from './health/health.controller';
import { CITY_NODE_CONFIG } from './tokens';

@Module({})
export class CityNodeModule {
  static forConfig(config: CityNodeConfig): DynamicModule {
    return {
      module: CityNodeModule,
      controllers: [HealthController],
      providers: [{ provide: CITY_NODE_CONFIG, useValue: config }],
    };
  }
}
