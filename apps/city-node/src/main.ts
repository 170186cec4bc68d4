import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { cityNodeConfigFromEnv } from './city-node.config';
import { CityNodeModule } from './city-node.module';

async function bootstrap(): Promise<void> {
  const config = cityNodeConfigFromEnv();
  const app = await NestFactory.create(CityNodeModule.forConfig(config));
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.httpHost);
  console.log(`city-node ${config.nodeCode} listening on ${await app.getUrl()}`);
}

void bootstrap();
