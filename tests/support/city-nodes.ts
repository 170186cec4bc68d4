import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { exportPublicKeys, loadOrCreateNodeKeys, NodeKeys, NodePublicKeys } from '@yipanqi/crypto';
import { kafkaSettingsFromEnv } from '@yipanqi/exchange';
import { ApiTokens, Role, ROLES } from '@yipanqi/http-api';
import { startCityNode } from '../../apps/city-node/src/city-node.app';
import { cityNodeConfigFromEnv } from '../../apps/city-node/src/city-node.config';
import { uniqueName } from './kafka';

export interface TestNode {
  code: string;
  app: INestApplication;
  url: string;
  keys: NodeKeys;
  db: DataSource;
  /** a bearer token of each role, issued on this node */
  tokens: Record<Role, string>;
}

export interface TestNetwork {
  topicPrefix: string;
  dir: string;
  nodes: Record<string, TestNode>;
  /** keys of every member, including ones that run no node (test-driven senders) */
  keys: Record<string, NodeKeys>;
  stop(): Promise<void>;
}

/**
 * Starts real city nodes in this process, each with its own SQLite file and
 * keys, all knowing each other's public keys, on the real broker under a
 * topic prefix of their own. `members` without a running node only get keys
 * (tests send as them by hand).
 */
export async function startTestNetwork(
  running: string[],
  members: string[] = running,
  database: 'sqlite' | 'postgres' = 'sqlite',
): Promise<TestNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'yipanqi-net-'));
  const topicPrefix = uniqueName('net').replace(/\./g, '-');
  const databases: string[] = [];
  const keys: Record<string, NodeKeys> = {};
  const published: Record<string, NodePublicKeys> = {};
  for (const code of new Set([...running, ...members])) {
    keys[code] = loadOrCreateNodeKeys(join(dir, code, 'keys'));
    published[code] = exportPublicKeys(keys[code]);
  }
  const peersFile = join(dir, 'peers.json');
  writeFileSync(peersFile, JSON.stringify(published));
  const nodes: Record<string, TestNode> = {};
  for (const code of running) {
    let databaseUrl: string | undefined;
    if (database === 'postgres') {
      const name = `yipanqi_test_${code}_${randomBytes(4).toString('hex')}`;
      await createPostgresDatabase(name);
      databases.push(name);
      databaseUrl = postgresUrl(name);
    }
    const config = cityNodeConfigFromEnv({
      DATABASE_URL: databaseUrl,
      NODE_CODE: code,
      DATA_DIR: join(dir, code),
      PEERS_FILE: peersFile,
      HTTP_PORT: '0',
      TOPIC_PREFIX: topicPrefix,
      KAFKA_BROKERS: kafkaSettingsFromEnv().brokers.join(','),
    });
    const app = await startCityNode(config, { logger: false });
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) {
      tokens[role] = (await app.get(ApiTokens).issue(role, `test ${role}`)).token;
    }
    const url = await app.getUrl();
    nodes[code] = { code, app, url, keys: keys[code], db: app.get(DataSource), tokens };
  }
  return {
    topicPrefix,
    dir,
    nodes,
    keys,
    async stop() {
      for (const node of Object.values(nodes)) await node.app.close();
      for (const name of databases) await dropPostgresDatabase(name);
    },
  };
}

/** `Authorization` header value for a node's token of `role`. */
export function bearer(node: TestNode, role: Role): string {
  return `Bearer ${node.tokens[role]}`;
}

/** Polls until `check` returns true (or throws after the timeout with the last observed state). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The PostgreSQL server the tests use (the machine's, trust auth). Each test
 * node gets a database of its own, created here and dropped afterwards.
 */
const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

export function postgresUrl(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdminClient(work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(name: string): Promise<void> {
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
