import { parsePort } from '@yipanqi/contracts';

export interface CoordinatorConfig {
  httpPort: number;
  httpHost: string;
}

export function coordinatorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  return { httpPort: parsePort(env.HTTP_PORT, 3000), httpHost: env.HTTP_HOST || '127.0.0.1' };
}
