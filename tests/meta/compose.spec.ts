/**
 * deploy/compose, checked without Docker (CI has no engine): every app's
 * configuration, read by the app's own config code from the service's
 * environment, is complete; every path an app writes is a named volume; the
 * image's user owns those paths; every service and volume referred to exists.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { cityNodeConfigFromEnv } from '../../apps/city-node/src/city-node.config';
import { coordinatorConfigFromEnv } from '../../apps/coordinator/src/coordinator.config';

const dir = resolve(__dirname, '../../deploy/compose');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');

const appServices = Object.entries(compose.services).filter(
  ([, s]) => s.image === 'yipanqi-app:local',
);
const env = (s: Service): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
const mounts = (s: Service) =>
  (s.volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':');
    return { source, target, readOnly: mode === 'ro' };
  });
/** the mount that holds `path`, if any */
const mountOf = (s: Service, path: string) =>
  mounts(s).find((m) => path === m.target || path.startsWith(`${m.target}/`));
const runsApp = (s: Service, app: string) =>
  (s.command ?? []).some((c) => c.includes(`dist/apps/${app}/`));

/** the folders `chown -R node:node` gives the image's user */
const owned = [...dockerfile.matchAll(/chown -R node:node ([^\n]+)/g)].flatMap((m) =>
  m[1].trim().split(/\s+/),
);

function expectWritableVolume(name: string, s: Service, path: string): void {
  const mount = mountOf(s, path);
  expect({ service: name, path, mounted: mount !== undefined }).toEqual({
    service: name,
    path,
    mounted: true,
  });
  if (!mount) return;
  expect(Object.keys(compose.volumes)).toContain(mount.source);
  expect({ service: name, path, readOnly: mount.readOnly }).toEqual({
    service: name,
    path,
    readOnly: false,
  });
  expect(owned.some((o) => mount.target === o || mount.target.startsWith(`${o}/`))).toBe(true);
}

describe('deploy/compose', () => {
  it('runs the image as an unprivileged user', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('gives every city node a complete configuration, its data and certificate in volumes', () => {
    const cities = appServices.filter(
      ([, s]) => runsApp(s, 'city-node') && !s.command?.includes('register'),
    );
    expect(cities.map(([name]) => name)).toEqual([
      'city-node-441300',
      'city-node-440300',
      'city-node-511500',
    ]);
    for (const [name, s] of cities) {
      // the key file exists only in the running network: the config reads it at start
      const { COORDINATOR_KEY_FILE: keyFile, ...rest } = env(s);
      const config = cityNodeConfigFromEnv({ ...rest, COORDINATOR_KEY: 'from the key file' });
      expect(name).toBe(`city-node-${config.nodeCode}`);
      expect(config.databaseUrl).toMatch(/^postgres:\/\/[^/]+@postgres:5432\/city_\d{6}$/);
      expect(config.kafka.brokers).toEqual(['kafka:9092']);
      expect(config.httpHost).toBe('0.0.0.0');
      // the coordinator key comes from the setup step, through the shared volume
      expect(mountOf(s, keyFile as string)).toMatchObject({ source: 'shared' });
      expect(s.depends_on?.setup?.condition).toBe('service_completed_successfully');
      expectWritableVolume(name, s, config.dataDir);
      expectWritableVolume(name, s, config.keysDir);
      const credentials = config.kafka.credentialsDir as string;
      expect(credentials).toBe(`/credentials/yipanqi.node.${config.nodeCode}`);
      expect(mountOf(s, credentials)).toMatchObject({ source: 'kafka-credentials' });
    }
  });

  it('gives the coordinator and the provisioning one data volume, the coordinator its certificate', () => {
    const coordinator = compose.services.coordinator;
    const config = coordinatorConfigFromEnv(env(coordinator));
    expect(config.databaseUrl).toBe('postgres://postgres@postgres:5432/coordinator');
    expectWritableVolume('coordinator', coordinator, config.dataDir);
    expectWritableVolume('coordinator', coordinator, config.keysDir);
    expect(mountOf(coordinator, config.kafka.credentialsDir as string)).toMatchObject({
      source: 'kafka-credentials',
    });

    // the provisioning reads the coordinator's public key from the same keys
    const provision = compose.services.provision;
    expect(provision.command).toEqual(expect.arrayContaining(['provision-kafka', '--follow']));
    const provisionConfig = coordinatorConfigFromEnv(env(provision));
    expect(mountOf(provision, provisionConfig.keysDir)?.source).toBe(
      mountOf(coordinator, config.keysDir)?.source,
    );
    expectWritableVolume('provision', provision, '/credentials');
    expect(mountOf(provision, env(provision).KAFKA_OPERATOR_CREDENTIALS as string)).toMatchObject({
      source: 'kafka-pki',
    });
  });

  it('starts Kafka with TLS, client certificates and the StandardAuthorizer', () => {
    const kafka = env(compose.services.kafka);
    expect(kafka.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toBe('CLIENT:SSL,CONTROLLER:SSL');
    expect(kafka.KAFKA_SSL_CLIENT_AUTH).toBe('required');
    expect(kafka.KAFKA_AUTHORIZER_CLASS_NAME).toMatch(/StandardAuthorizer$/);
    expect(kafka.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBe('false');
    expect(kafka.KAFKA_SSL_KEYSTORE_PASSWORD).toBe(
      env(compose.services.pki).KAFKA_KEYSTORE_PASSWORD,
    );
    expect(env(compose.services.pki).KAFKA_BROKER_SANS).toContain('DNS:kafka');
  });

  it('refers only to services and volumes it declares', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(s.depends_on ?? {})) {
        expect({ name, dependency, known: dependency in compose.services }).toMatchObject({
          known: true,
        });
      }
      for (const m of mounts(s)) {
        if (!m.source.startsWith('.')) expect(Object.keys(compose.volumes)).toContain(m.source);
      }
    }
  });
});
