import 'reflect-metadata';
import { cityNodeConfigFromEnv } from './city-node.config';
import { startCityNode } from './city-node.app';

async function bootstrap(): Promise<void> {
  const config = cityNodeConfigFromEnv();
  const app = await startCityNode(config);
  console.log(`city-node ${config.nodeCode} listening on ${await app.getUrl()}`);
}

void bootstrap();
