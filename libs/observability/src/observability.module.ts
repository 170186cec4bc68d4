import { DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { AppMetrics } from './app-metrics';
import { MetricsController } from './metrics.controller';

/** Wires `/metrics` (willsoto's PrometheusModule, our registry per app) and AppMetrics. */
@Module({})
export class ObservabilityModule {
  static forApp(app: string, labels: Record<string, string> = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        PrometheusModule.register({
          controller: MetricsController,
          // default metrics go to the app's registry (AppMetrics), not the global one
          defaultMetrics: { enabled: false },
        }),
      ],
      providers: [{ provide: AppMetrics, useValue: new AppMetrics(app, labels) }],
      exports: [AppMetrics],
    };
  }
}
