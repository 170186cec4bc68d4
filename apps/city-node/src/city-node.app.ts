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
import { ExchangeNode, ExchangeTransport } from '@yipanqi/exchange';
import { configureHttpApi, serveOpenApi } from '@yipanqi/http-api';
import { CityNodeConfig } from './city-node.config';
import { CityNodeModule } from './city-node.module';

/** Builds and starts a city node: HTTP admin API plus the exchange transport. */
export async function startCityNode(
  config: CityNodeConfig,
  options: LogOptions = {},
): Promise<INestApplication> {
  const { log, nestLogger } = appLogging(
    'city-node',
    { node: config.nodeCode },
    config.logLevel,
    options,
  );
  const app = await NestFactory.create<NestExpressApplication>(
    CityNodeModule.forConfig(config, log),
    {
      logger: nestLogger,
      // a start-up failure is thrown to the caller (main exits 1, a test fails) rather than process.exit
      abortOnError: false,
    },
  );
  // first: every request gets its line, also those the body checks refuse
  app.use(requestLogger(log));
  app.use(httpMetrics(app.get(AppMetrics)));
  configureHttpApi(app);
  serveOpenApi(
    app,
    `Yipanqi city node ${config.nodeCode}`,
    'The coordination flows, evaluation, exchange monitor and tokens of one city node. Every route but /health needs a bearer token; errors are RFC 9457 problem+json.',
  );
  app.enableShutdownHooks();
  app.connectMicroservice(
    { strategy: new ExchangeTransport(app.get(ExchangeNode)) },
    { inheritAppConfig: false },
  );
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  log.info({ url: await app.getUrl() }, 'listening');
  return app;
}
