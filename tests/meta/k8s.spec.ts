/**
 * deploy/k8s, checked statically: the Strimzi KafkaUser resources are exactly
 * what the access model gives for the network (the same rules the local
 * provisioning grants), each app mounts the certificate of its own principal,
 * and what each app writes is on a volume its user can write.
 *
 * Regenerate kafka-users.yaml after changing the model or network.json:
 *   WRITE_K8S_USERS=1 npx jest --selectProjects unit --testPathPatterns tests/meta/k8s
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import {
  auditorPrincipal,
  coordinatorPrincipal,
  nodePrincipal,
  strimziKafkaUsers,
} from '@yipanqi/kafka-access';
import { cityNodeConfigFromEnv } from '../../apps/city-node/src/city-node.config';

const dir = resolve(__dirname, '../../deploy/k8s');
const network = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')) as {
  cluster: string;
  namespace: string;
  topicPrefix: string;
  cities: { code: string; name: string }[];
  auditors: string[];
};

/** The network's users, and the operator (a super user: no ACLs of its own). */
function expectedUsers(): unknown[] {
  const users: unknown[] = strimziKafkaUsers(
    {
      topicPrefix: network.topicPrefix,
      members: network.cities.map((c) => ({ code: c.code, suspended: false })),
      auditors: network.auditors,
    },
    network.cluster,
  );
  users.push({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaUser',
    metadata: { name: 'operator', labels: { 'strimzi.io/cluster': network.cluster } },
    spec: { authentication: { type: 'tls' } },
  });
  return users.map((u) => ({
    ...(u as object),
    metadata: { ...(u as { metadata: object }).metadata, namespace: network.namespace },
  }));
}

const HEADER =
  '# Generated from libs/kafka-access/src/access-model.ts and network.json by tests/meta/k8s.spec.ts\n' +
  '# (WRITE_K8S_USERS=1 npx jest --selectProjects unit --testPathPatterns tests/meta/k8s): do not edit.\n';

if (process.env.WRITE_K8S_USERS === '1') {
  writeFileSync(
    join(dir, 'kafka-users.yaml'),
    HEADER +
      expectedUsers()
        .map((u) => stringify(u))
        .join('---\n'),
  );
}

const docs = (file: string) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as Resource);

interface Container {
  args: string[];
  env: { name: string; value?: string }[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe?: { httpGet: { path: string } };
  readinessProbe?: { httpGet: { path: string } };
}
interface Resource {
  kind: string;
  metadata: { name: string };
  spec: {
    template?: {
      spec: {
        securityContext: { runAsUser: number; fsGroup: number };
        containers: Container[];
        volumes: {
          name: string;
          persistentVolumeClaim?: { claimName: string };
          projected?: { sources: { secret: { name: string; items: { path: string }[] } }[] };
        }[];
      };
    };
    kafka?: {
      authorization: { superUsers: string[] };
      listeners: { tls: boolean; authentication: { type: string } }[];
    };
  };
}

describe('deploy/k8s', () => {
  const apps = docs('apps.yaml').filter((r) => r.kind === 'Deployment');
  const claims = docs('apps.yaml')
    .filter((r) => r.kind === 'PersistentVolumeClaim')
    .map((r) => r.metadata.name);

  it('has exactly the KafkaUser resources the access model gives', () => {
    expect(docs('kafka-users.yaml')).toEqual(expectedUsers());
  });

  it('runs Kafka with TLS client authentication, simple authorization and the operator as super user', () => {
    const kafka = docs('kafka.yaml').find((r) => r.kind === 'Kafka');
    expect(kafka?.spec.kafka?.listeners).toEqual([
      expect.objectContaining({ tls: true, authentication: { type: 'tls' } }),
    ]);
    expect(kafka?.spec.kafka?.authorization.superUsers).toEqual(['CN=operator']);
  });

  it("mounts each app's own certificate, and the cluster CA, where the app reads them", () => {
    const principals = new Map([
      ['coordinator', coordinatorPrincipal(network.topicPrefix)],
      ['provision-kafka', 'operator'],
      ...network.cities.map(
        (c) => [`city-node-${c.code}`, nodePrincipal(c.code, network.topicPrefix)] as const,
      ),
    ]);
    const users = docs('kafka-users.yaml').map((u) => u.metadata.name);
    expect(users).toContain(auditorPrincipal(network.auditors[0], network.topicPrefix));
    expect(apps.map((a) => a.metadata.name).sort()).toEqual([...principals.keys()].sort());
    for (const app of apps) {
      const pod = app.spec.template!.spec;
      const credentials = pod.volumes.find((v) => v.name === 'kafka-credentials')?.projected;
      const [user, ca] = credentials?.sources ?? [];
      expect({ app: app.metadata.name, user: user?.secret.name }).toEqual({
        app: app.metadata.name,
        user: principals.get(app.metadata.name),
      });
      expect(users).toContain(user.secret.name);
      expect(user.secret.items.map((i) => i.path).sort()).toEqual(['cert.pem', 'key.pem']);
      expect(ca.secret).toMatchObject({
        name: `${network.cluster}-cluster-ca-cert`,
        items: [{ path: 'ca.pem' }],
      });
      const container = pod.containers[0];
      const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
      const mount = container.volumeMounts.find((m) => m.name === 'kafka-credentials');
      const credentialsDir =
        app.metadata.name === 'provision-kafka'
          ? container.args[container.args.indexOf('--operator-credentials') + 1]
          : env.KAFKA_CREDENTIALS_DIR;
      expect(mount?.mountPath).toBe(credentialsDir);
      expect(env.KAFKA_BROKERS).toBe(`${network.cluster}-kafka-bootstrap:9093`);
    }
  });

  it('applies the KafkaUser resources the following provisioning writes, with a service account that may change only those', () => {
    const all = docs('apps.yaml') as unknown as {
      kind: string;
      metadata: { name: string; namespace?: string };
      rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      roleRef?: { kind: string; name: string };
      subjects?: { kind: string; name: string }[];
      spec?: {
        template?: {
          spec: {
            serviceAccountName?: string;
            containers: (Container & { command?: string[] })[];
            volumes: { name: string; emptyDir?: object }[];
          };
        };
      };
    }[];
    const pod = all.find((r) => r.kind === 'Deployment' && r.metadata.name === 'provision-kafka')!
      .spec!.template!.spec;
    const [provisioning, apply] = pod.containers;
    const file = provisioning.args[provisioning.args.indexOf('--kafka-users-file') + 1];
    expect(provisioning.args).toEqual(expect.arrayContaining(['--follow', '--topics-only']));
    expect(provisioning.args[provisioning.args.indexOf('--strimzi-cluster') + 1]).toBe(
      network.cluster,
    );
    // the file is on a volume both containers share, and the sidecar applies that file
    const shared = provisioning.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`));
    expect(pod.volumes.find((v) => v.name === shared?.name)?.emptyDir).toEqual({});
    expect(apply.volumeMounts).toContainEqual(expect.objectContaining({ name: shared?.name }));
    expect(apply.args.join(' ')).toContain(`kubectl apply -n ${network.namespace} -f ${file}`);
    // least privilege: KafkaUsers of the namespace, no delete, nothing else
    const role = all.find((r) => r.kind === 'Role' && r.metadata.name === pod.serviceAccountName);
    expect(role?.metadata.namespace).toBe(network.namespace);
    expect(role?.rules).toEqual([
      {
        apiGroups: ['kafka.strimzi.io'],
        resources: ['kafkausers'],
        verbs: ['get', 'list', 'create', 'patch', 'update'],
      },
    ]);
    const binding = all.find((r) => r.kind === 'RoleBinding');
    expect(binding?.roleRef).toMatchObject({ kind: 'Role', name: role?.metadata.name });
    expect(binding?.subjects).toEqual([
      expect.objectContaining({ kind: 'ServiceAccount', name: pod.serviceAccountName }),
    ]);
  });

  it("puts each city node's data on its own claim, writable by the image's user, and probes its health", () => {
    for (const city of network.cities) {
      const app = apps.find((a) => a.metadata.name === `city-node-${city.code}`);
      const pod = app!.spec.template!.spec;
      const container = pod.containers[0];
      const env = Object.fromEntries(
        container.env.map((e) => [e.name, e.value ?? 'from a Secret or ConfigMap']),
      );
      const config = cityNodeConfigFromEnv(env);
      expect(config.nodeCode).toBe(city.code);
      const data = container.volumeMounts.find(
        (m) => config.dataDir === m.mountPath || config.dataDir.startsWith(`${m.mountPath}/`),
      );
      const claim = pod.volumes.find((v) => v.name === data?.name)?.persistentVolumeClaim;
      expect(claim?.claimName).toBe(`city-node-${city.code}-data`);
      expect(claims).toContain(claim?.claimName);
      expect(config.keysDir.startsWith(data!.mountPath)).toBe(true);
      expect(pod.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
      expect(container.livenessProbe?.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe?.httpGet.path).toBe('/health/ready');
    }
  });
});
