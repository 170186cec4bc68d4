import { AppMetrics, httpMetrics } from '@yipanqi/observability';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApi, serveOpenApi } from '@yipanqi/http-api';
import { CoordinatorConfig } from './coordinator.config';
import { CoordinatorModule } from './coordinator.module';

/** Builds and starts the coordinator: directory admin API (OpenAPI at /api/docs) and publisher. */
export async function startCoordinator(
  config: CoordinatorConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    CoordinatorModule.forConfig(config),
    // a start-up failure is thrown to the caller (main exits 1, a test fails) rather than process.exit
    { logger: options.logger, abortOnError: false },
  );
  app.use(httpMetrics(app.get(AppMetrics)));
  configureHttpApi(app);
  app.enableShutdownHooks();
  serveOpenApi(
    app,
    'Yipanqi coordinator',
    'Node directory (docs/directory.md) and evaluation campaigns (docs/evaluation.md). ' +
      'Errors are application/problem+json.',
  );
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
