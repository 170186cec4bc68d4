import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { coordinatorConfigFromEnv } from './coordinator.config';
import { CoordinatorModule } from './coordinator.module';

async function bootstrap(): Promise<void> {
  const config = coordinatorConfigFromEnv();
  const app = await NestFactory.create(CoordinatorModule);
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.httpHost);
  console.log(`coordinator listening on ${await app.getUrl()}`);
}

void bootstrap();
