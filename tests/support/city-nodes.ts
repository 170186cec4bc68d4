import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { exportPublicKeys, loadOrCreateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import { ApiTokens, Role, ROLES } from '@yipanqi/http-api';
import {
  auditorPrincipal,
  coordinatorPrincipal,
  credentialsDirOf,
  DirectoryProvisioner,
  KafkaConnection,
  kafkaSettingsFromEnv,
  loadKafkaCredentials,
  nodePrincipal,
} from '@yipanqi/kafka-access';
import { LogOptions } from '@yipanqi/observability';
import { startCityNode } from '../../apps/city-node/src/city-node.app';
import { CityNodeConfig, cityNodeConfigFromEnv } from '../../apps/city-node/src/city-node.config';
import { startCoordinator } from '../../apps/coordinator/src/coordinator.app';
import { coordinatorConfigFromEnv } from '../../apps/coordinator/src/coordinator.config';
import { DirectoryService } from '../../apps/coordinator/src/directory/directory.service';
import { COORDINATOR_KEYS } from '../../apps/coordinator/src/tokens';
import { operatorConnection, testPkiDir, uniqueName } from './kafka';

export interface TestNode {
  code: string;
  app: INestApplication;
  url: string;
  keys: NodeKeys;
  db: DataSource;
  /** a bearer token of each role, issued on this node */
  tokens: Record<Role, string>;
  /** what it was started with: restartTestNode starts it again on the same data */
  config: CityNodeConfig;
  logging: LogOptions;
}

/** The coordinator of a test network, running in the test's process. */
export interface TestCoordinator {
  app: INestApplication;
  url: string;
  keys: NodeKeys;
  /** its Ed25519 public key, raw base64url: every node's COORDINATOR_KEY */
  publicKey: string;
  db: DataSource;
  directory: DirectoryService;
  /** a bearer token of each role, issued on the coordinator */
  tokens: Record<Role, string>;
  /** how long after it is issued a directory change takes effect */
  leadMs: number;
  /** the operator's provisioning, following this coordinator's directory */
  provisioner: DirectoryProvisioner;
  /** where each principal's Kafka certificate is (`<dir>/<principal>/`) */
  credentialsRoot: string;
  /** the credentials folder of the network's auditor `TEST_AUDITOR` */
  auditorCredentials: string;
  /** a connection as `principal` (a node's, the coordinator's, the auditor's) */
  connectionAs(principal: string): KafkaConnection;
  /** resolves once the provisioning has applied every member's state (suspended or not) */
  provisioned(codes: string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Every test network grants read access to one auditor of this name. */
export const TEST_AUDITOR = 'test';

export interface TestNetwork {
  topicPrefix: string;
  dir: string;
  nodes: Record<string, TestNode>;
  /** keys of every member, including ones that run no node (test-driven senders) */
  keys: Record<string, NodeKeys>;
  /** keeps the network's directory; every member is registered in it */
  coordinator: TestCoordinator;
  stop(): Promise<void>;
}

/** Directory changes take effect this long after they are issued (short: tests wait for it). */
const TEST_DIRECTORY_LEAD_MS = 300;

export interface TestLogging {
  /**
   * every line of every app of the network, at debug, goes here; without
   * it the apps log nothing (Nest's static Logger is process-wide, so one
   * collector for all apps is what a test can rely on)
   */
  logTo?: DestinationStream;
}

/** The environment and start options of an app under `logging`. */
function testLogging(logging: TestLogging): { env: NodeJS.ProcessEnv; options: LogOptions } {
  return logging.logTo
    ? { env: { LOG_LEVEL: 'debug' }, options: { logTo: logging.logTo } }
    : { env: {}, options: { logger: false } };
}

/**
 * Starts a coordinator in this process, under the network's topic prefix, and
 * registers `members` (code → keys) in its directory. Returns once their keys
 * are in effect.
 */
export async function startTestCoordinator(
  dir: string,
  topicPrefix: string,
  members: Record<string, NodeKeys>,
  database: 'sqlite' | 'postgres' = 'sqlite',
  logging: TestLogging = {},
): Promise<TestCoordinator> {
  const log = testLogging(logging);
  let postgres: string | undefined;
  if (database === 'postgres') {
    postgres = `yipanqi_test_coordinator_${randomBytes(4).toString('hex')}`;
    await createPostgresDatabase(postgres);
  }
  // the provisioning trusts the coordinator's key: make it before the coordinator starts
  const coordinatorKeys = loadOrCreateNodeKeys(join(dir, 'coordinator', 'keys'));
  const credentialsRoot = join(dir, 'kafka-credentials');
  const provisioner = await DirectoryProvisioner.start({
    kafka: operatorConnection(),
    topicPrefix,
    coordinatorKey: coordinatorKeys.signing.publicKey,
    auditors: [TEST_AUDITOR],
    credentialsRoot,
    pkiDir: testPkiDir(),
  });
  const app = await startCoordinator(
    coordinatorConfigFromEnv({
      DATABASE_URL: postgres && postgresUrl(postgres),
      DATA_DIR: join(dir, 'coordinator'),
      HTTP_PORT: '0',
      TOPIC_PREFIX: topicPrefix,
      DIRECTORY_LEAD_MS: String(TEST_DIRECTORY_LEAD_MS),
      KAFKA_BROKERS: kafkaSettingsFromEnv().brokers.join(','),
      KAFKA_CREDENTIALS_DIR: credentialsDirOf(credentialsRoot, coordinatorPrincipal(topicPrefix)),
      ...log.env,
    }),
    log.options,
  );
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    tokens[role] = (await app.get(ApiTokens).issue(role, `test ${role}`)).token;
  }
  const directory = app.get(DirectoryService);
  let inEffect = 0;
  for (const [code, keys] of Object.entries(members)) {
    const entry = await directory.register({ code, ...exportPublicKeys(keys) });
    inEffect = Math.max(inEffect, entry.keys[0].validFrom);
  }
  const provisioned = (codes: string[]) =>
    eventually(
      () => codes.every((code) => provisioner.isProvisioned(code)),
      30000,
      () => `the provisioning of ${codes.join(', ')}`,
    );
  await provisioned(Object.keys(members));
  await new Promise((r) => setTimeout(r, Math.max(0, inEffect - Date.now())));
  const keys = app.get<NodeKeys>(COORDINATOR_KEYS);
  return {
    app,
    url: await app.getUrl(),
    keys,
    publicKey: exportPublicKeys(keys).signingKey,
    db: app.get(DataSource),
    directory,
    tokens,
    leadMs: TEST_DIRECTORY_LEAD_MS,
    provisioner,
    credentialsRoot,
    auditorCredentials: credentialsDirOf(
      credentialsRoot,
      auditorPrincipal(TEST_AUDITOR, topicPrefix),
    ),
    connectionAs: (principal) => ({
      brokers: kafkaSettingsFromEnv().brokers,
      credentials: loadKafkaCredentials(credentialsDirOf(credentialsRoot, principal)),
    }),
    provisioned,
    async stop() {
      try {
        await app.close();
      } finally {
        // even when the app's Kafka clients failed to close (a broker restarted under them)
        await provisioner.stop();
        if (postgres) await dropPostgresDatabase(postgres);
      }
    },
  };
}

/**
 * Starts real city nodes in this process, each with its own SQLite file and
 * keys, and a coordinator whose signed directory lists every member, on the
 * real broker under a topic prefix of their own. `members` without a running
 * node only get keys and a directory entry (tests send as them by hand).
 */
export async function startTestNetwork(
  running: string[],
  members: string[] = running,
  database: 'sqlite' | 'postgres' = 'sqlite',
  logging: TestLogging = {},
): Promise<TestNetwork> {
  const log = testLogging(logging);
  const dir = mkdtempSync(join(tmpdir(), 'yipanqi-net-'));
  const topicPrefix = uniqueName('net').replace(/\./g, '-');
  const databases: string[] = [];
  const keys: Record<string, NodeKeys> = {};
  for (const code of new Set([...running, ...members])) {
    keys[code] = loadOrCreateNodeKeys(join(dir, code, 'keys'));
  }
  const coordinator = await startTestCoordinator(dir, topicPrefix, keys, database, logging);
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
      COORDINATOR_KEY: coordinator.publicKey,
      HTTP_PORT: '0',
      TOPIC_PREFIX: topicPrefix,
      KAFKA_BROKERS: kafkaSettingsFromEnv().brokers.join(','),
      KAFKA_CREDENTIALS_DIR: credentialsDirOf(
        coordinator.credentialsRoot,
        nodePrincipal(code, topicPrefix),
      ),
      ...log.env,
    });
    const app = await startCityNode(config, log.options);
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) {
      tokens[role] = (await app.get(ApiTokens).issue(role, `test ${role}`)).token;
    }
    const url = await app.getUrl();
    nodes[code] = {
      code,
      app,
      url,
      keys: keys[code],
      db: app.get(DataSource),
      tokens,
      config,
      logging: log.options,
    };
  }
  return {
    topicPrefix,
    dir,
    nodes,
    keys,
    coordinator,
    async stop() {
      for (const node of Object.values(nodes)) await node.app.close();
      await coordinator.stop();
      for (const name of databases) await dropPostgresDatabase(name);
    },
  };
}

/**
 * Stops a node of the network and starts it again on the same database, keys
 * and tokens (a new HTTP port: `url` changes), or with `changes` to its
 * configuration. `meanwhile` runs while it is down.
 */
export async function restartTestNode(
  net: TestNetwork,
  code: string,
  meanwhile: () => Promise<void> = () => Promise.resolve(),
  changes: Partial<CityNodeConfig> = {},
): Promise<TestNode> {
  const node = net.nodes[code];
  await node.app.close();
  await meanwhile();
  const config = { ...node.config, ...changes };
  const app = await startCityNode(config, node.logging);
  net.nodes[code] = { ...node, app, url: await app.getUrl(), db: app.get(DataSource), config };
  return net.nodes[code];
}

/** `Authorization` header value for a node's token of `role`. */
export function bearer(node: TestNode, role: Role): string {
  return `Bearer ${node.tokens[role]}`;
}

/** Polls until `check` returns true (or throws after the timeout with the last observed state). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60000,
  what: string | (() => string | Promise<string>) = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  // a function describes the state the wait ended in, read only when it failed
  const described = typeof what === 'string' ? what : await what();
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`);
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
