import {
  AppMetrics,
  appLogging,
  httpMetrics,
  LogOptions,
  requestLogger,
} from '@yipanqi/observability';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApi, serveOpenApi } from '@yipanqi/http-api';
import { CoordinatorConfig } from './coordinator.config';
import { CoordinatorModule } from './coordinator.module';

/** Builds and starts the coordinator: directory admin API (OpenAPI at /api/docs) and publisher. */
export async function startCoordinator(
  config: CoordinatorConfig,
  options: LogOptions = {},
): Promise<INestApplication> {
  const { log, nestLogger } = appLogging('coordinator', {}, config.logLevel, options);
  const app = await NestFactory.create<NestExpressApplication>(
    CoordinatorModule.forConfig(config, log),
    // a start-up failure is thrown to the caller (main exits 1, a test fails) rather than process.exit
    { logger: nestLogger, abortOnError: false },
  );
  // first: every request gets its line, also those the body checks refuse
  app.use(requestLogger(log));
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
  log.info({ url: await app.getUrl() }, 'listening');
  return app;
}
