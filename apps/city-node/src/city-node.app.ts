import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExchangeNode, ExchangeTransport } from '@yipanqi/exchange';
import { CityNodeConfig } from './city-node.config';
import { CityNodeModule } from './city-node.module';

/** Builds and starts a city node: HTTP admin API plus the exchange transport. */
export async function startCityNode(
  config: CityNodeConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(CityNodeModule.forConfig(config), {
    logger: options.logger,
    bodyParser: true,
  });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  app.connectMicroservice(
    { strategy: new ExchangeTransport(app.get(ExchangeNode)) },
    { inheritAppConfig: false },
  );
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
