import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TokensController } from '@yipanqi/http-api';
import { AppLog, LoggingModule, ObservabilityModule } from '@yipanqi/observability';
import { AccessLog } from './access-log/access-log';
import { AccessLogController } from './access-log/access-log.controller';
import { AgreementMessagesController } from './agreements/agreement-messages.controller';
import { AgreementsController } from './agreements/agreements.controller';
import { AgreementsService } from './agreements/agreements.service';
import { authProviders } from './auth/auth.providers';
import { CertificatesController } from './certificates/certificates.controller';
import { CertificatesService } from './certificates/certificates.service';
import { VerificationsService } from './certificates/verifications.service';
import { CampaignImportsController } from './campaign-import/campaign-imports.controller';
import { CampaignImports } from './campaign-import/campaign-imports.service';
import { CityNodeConfig } from './city-node.config';
import { DashboardController } from './dashboard/dashboard.controller';
import { exchangeProviders } from './exchange/exchange.providers';
import { MonitorController } from './exchange/monitor.controller';
import { HealthController } from './health/health.controller';
import { NodeMetrics } from './health/node-metrics';
import { MigrantArrivals } from './migrants/migrant-arrivals';
import { MigrantsController } from './migrants/migrants.controller';
import { MigrantsService } from './migrants/migrants.service';
import { NoticesController } from './notices/notices.controller';
import { NoticesService } from './notices/notices.service';
import { TaskMessagesController } from './tasks/task-messages.controller';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';
import { BenefitsController } from './services/benefits.controller';
import { BenefitsService } from './services/benefits.service';
import { ServicesController } from './services/services.controller';
import { ServicesService } from './services/services.service';
import { StaffController } from './staff/staff.controller';
import { CITY_NODE_CONFIG } from './tokens';
import { WorkbenchController } from './workbench/workbench.controller';
import { EvaluationController } from './evaluation/evaluation.controller';
import { EvaluationService } from './evaluation/evaluation.service';
import { RatingsService } from './evaluation/ratings.service';

@Module({})
export class CityNodeModule {
  static forConfig(config: CityNodeConfig, log: AppLog): DynamicModule {
    return {
      module: CityNodeModule,
      imports: [
        LoggingModule.forApp(log),
        ObservabilityModule.forApp('city-node', { node: config.nodeCode }),
        // readiness failures are answered as problem+json; terminus' own error log would repeat them
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        HealthController,
        TokensController,
        DashboardController,
        WorkbenchController,
        StaffController,
        AgreementsController,
        AgreementMessagesController,
        NoticesController,
        MonitorController,
        AccessLogController,
        TasksController,
        TaskMessagesController,
        CertificatesController,
        ServicesController,
        BenefitsController,
        MigrantsController,
        EvaluationController,
        CampaignImportsController,
      ],
      providers: [
        { provide: CITY_NODE_CONFIG, useValue: config },
        ...exchangeProviders,
        ...authProviders,
        AccessLog,
        AgreementsService,
        NoticesService,
        TasksService,
        CertificatesService,
        VerificationsService,
        ServicesService,
        BenefitsService,
        MigrantArrivals,
        MigrantsService,
        EvaluationService,
        RatingsService,
        CampaignImports,
        NodeMetrics,
      ],
    };
  }
}
