import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { AccessRule, accessRules, NetworkAccess } from './access-model';

/**
 * The access model as Strimzi `KafkaUser` resources (mutual TLS, simple
 * authorization): on Kubernetes, Strimzi's User Operator issues each
 * principal's certificate (a Secret named like the user) and keeps its ACLs,
 * from the same rules the local provisioning grants. Strimzi makes the
 * principal `User:CN=<name>` and writes its ACLs for that principal itself.
 */
export interface StrimziAcl {
  resource: { type: 'topic' | 'group'; name: string; patternType: 'literal' | 'prefix' };
  operations: ('Read' | 'Write' | 'Describe')[];
  host: '*';
}

export interface StrimziKafkaUser {
  apiVersion: 'kafka.strimzi.io/v1beta2';
  kind: 'KafkaUser';
  metadata: { name: string; labels: { 'strimzi.io/cluster': string } };
  spec: {
    authentication: { type: 'tls' };
    authorization: { type: 'simple'; acls: StrimziAcl[] };
  };
}

const OPERATIONS = { read: 'Read', write: 'Write', describe: 'Describe' } as const;

export function strimziKafkaUsers(network: NetworkAccess, cluster: string): StrimziKafkaUser[] {
  const byPrincipal = new Map<string, AccessRule[]>();
  for (const rule of accessRules(network)) {
    byPrincipal.set(rule.principal, [...(byPrincipal.get(rule.principal) ?? []), rule]);
  }
  return [...byPrincipal.entries()].map(([principal, rules]) => {
    // one ACL entry per resource, with every operation on it
    const acls = new Map<string, StrimziAcl>();
    for (const r of rules) {
      const key = `${r.resource}|${r.pattern}|${r.name}`;
      const acl = acls.get(key) ?? {
        resource: {
          type: r.resource,
          name: r.name,
          patternType: r.pattern === 'prefixed' ? 'prefix' : 'literal',
        },
        operations: [],
        host: '*',
      };
      acl.operations.push(OPERATIONS[r.operation]);
      acls.set(key, acl);
    }
    return {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaUser',
      metadata: { name: principal, labels: { 'strimzi.io/cluster': cluster } },
      spec: {
        authentication: { type: 'tls' },
        authorization: { type: 'simple', acls: [...acls.values()] },
      },
    };
  });
}

/** The users as one YAML stream, for `kubectl apply -f`. */
export function kafkaUsersYaml(network: NetworkAccess, cluster: string): string {
  return strimziKafkaUsers(network, cluster)
    .map((u) => stringify(u))
    .join('---\n');
}

/**
 * Writes the users to `file` when they changed (false when not). The new file
 * replaces the old one in one rename, so whoever applies it (deploy/k8s: a
 * kubectl sidecar) never reads half of it.
 */
export function writeKafkaUsersFile(file: string, yaml: string): boolean {
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === yaml) return false;
  writeFileSync(`${file}.tmp`, yaml);
  renameSync(`${file}.tmp`, file);
  return true;
}
