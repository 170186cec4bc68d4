import { AppLog, LoggingModule, ObservabilityModule } from '@yipanqi/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, TokensController } from '@yipanqi/http-api';
import { CampaignsController } from './campaigns/campaigns.controller';
import { campaignProviders } from './campaigns/campaigns.providers';
import { CoordinatorConfig } from './coordinator.config';
import { CoordinatorShutdown } from './coordinator.shutdown';
import { DirectoryController } from './directory/directory.controller';
import { directoryProviders } from './directory/directory.providers';
import { NodesController } from './directory/nodes.controller';
import { RegistrationsController } from './directory/registrations.controller';
import { HealthController } from './health/health.controller';
import { COORDINATOR_CONFIG } from './tokens';

@Module({})
export class CoordinatorModule {
  static forConfig(config: CoordinatorConfig, log: AppLog): DynamicModule {
    return {
      module: CoordinatorModule,
      imports: [
        LoggingModule.forApp(log),
        ObservabilityModule.forApp('coordinator'),
        // readiness failures are answered as problem+json; terminus' own error log would repeat them
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        HealthController,
        DirectoryController,
        NodesController,
        RegistrationsController,
        CampaignsController,
        TokensController,
      ],
      providers: [
        { provide: COORDINATOR_CONFIG, useValue: config },
        ...directoryProviders,
        ...campaignProviders,
        CoordinatorShutdown,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
