import { assertNodeCode, NodeCode, parsePort } from '@yipanqi/contracts';

export interface CityNodeConfig {
  nodeCode: NodeCode;
  nodeName: string;
  httpPort: number;
  /** 127.0.0.1 by default: the admin API is not exposed unless asked for (containers set 0.0.0.0) */
  httpHost: string;
}

export function cityNodeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CityNodeConfig {
  return {
    nodeCode: assertNodeCode(env.NODE_CODE ?? '441300'),
    nodeName: env.NODE_NAME ?? '',
    httpPort: parsePort(env.HTTP_PORT, 3001),
    httpHost: env.HTTP_HOST || '127.0.0.1',
  };
}
