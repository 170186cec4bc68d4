import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { configureHttpApi } from '@yipanqi/http-api';
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
  configureHttpApi(app);
  app.enableShutdownHooks();
  const openApi = new DocumentBuilder()
    .setTitle('Yipanqi coordinator')
    .setDescription(
      'Node directory (docs/directory.md) and evaluation campaigns (docs/evaluation.md). ' +
        'Errors are application/problem+json.',
    )
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
