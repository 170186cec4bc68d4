import {
  AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  ITopicConfig,
  ResourcePatternTypes,
} from 'kafkajs';
import { TOPIC_PREFIX } from '@yipanqi/contracts';
import {
  AccessRule,
  AclOperation,
  AclPattern,
  AclResource,
  accessRules,
  NetworkAccess,
  networkPrincipalPrefix,
  ruleKey,
} from './access-model';
import {
  createMissingTopics,
  deadLetterTopicConfig,
  directoryTopicConfig,
  evaluationTopicConfig,
  inboxTopicConfig,
  sentJournalTopicConfig,
} from './topics';

/** Every topic of a network: directory, evaluation, and each member's inbox, dead letters and sent journal. */
export function networkTopics(network: NetworkAccess): ITopicConfig[] {
  const prefix = network.topicPrefix ?? TOPIC_PREFIX;
  return [
    directoryTopicConfig(prefix),
    evaluationTopicConfig(prefix),
    ...network.members.flatMap((m) => [
      inboxTopicConfig(m.code, prefix),
      deadLetterTopicConfig(m.code, prefix),
      sentJournalTopicConfig(m.code, prefix),
    ]),
  ];
}

export interface ProvisioningResult {
  createdTopics: string[];
  granted: AccessRule[];
  revoked: AccessRule[];
}

/**
 * Makes the cluster match the network (operator credentials only): creates
 * the topics that are missing, grants the rules the access model gives and
 * revokes the other rules of the network's principals. Topics are never
 * deleted — the log is the record of the exchange — and principals outside
 * the network's prefix are left alone. Running it again changes nothing.
 */
export async function provisionNetwork(
  admin: Admin,
  network: NetworkAccess,
  options: { acls?: boolean } = {},
): Promise<ProvisioningResult> {
  const createdTopics = await createMissingTopics(admin, networkTopics(network));
  // on Strimzi the User Operator keeps the ACLs (KafkaUser resources): topics only
  if (options.acls === false) return { createdTopics, granted: [], revoked: [] };
  const wanted = new Map(accessRules(network).map((r) => [ruleKey(r), r]));
  const existing = await networkRules(admin, network.topicPrefix ?? TOPIC_PREFIX);
  const granted = [...wanted.values()].filter((r) => !existing.has(ruleKey(r)));
  const revoked = [...existing.values()].filter((r) => !wanted.has(ruleKey(r)));
  if (granted.length > 0) await admin.createAcls({ acl: granted.map(aclEntry) });
  if (revoked.length > 0) await admin.deleteAcls({ filters: revoked.map(aclEntry) });
  return { createdTopics, granted, revoked };
}

/** The ALLOW rules the cluster has for the network's principals now. */
async function networkRules(admin: Admin, prefix: string): Promise<Map<string, AccessRule>> {
  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ALLOW,
  });
  const owned = `User:${networkPrincipalPrefix(prefix)}`;
  const rules = new Map<string, AccessRule>();
  for (const resource of described.resources) {
    const kind = RESOURCES.get(resource.resourceType);
    const pattern = PATTERNS.get(resource.resourcePatternType);
    for (const acl of resource.acls) {
      if (!acl.principal.startsWith(owned)) continue;
      const operation = OPERATIONS.get(acl.operation);
      if (!kind || !pattern || !operation || acl.host !== '*') {
        throw new Error(
          `ACL of ${acl.principal} on ${resource.resourceName} is not one the provisioning makes: remove it by hand`,
        );
      }
      const rule: AccessRule = {
        principal: acl.principal.slice('User:'.length),
        resource: kind,
        pattern,
        name: resource.resourceName,
        operation,
      };
      rules.set(ruleKey(rule), rule);
    }
  }
  return rules;
}

const RESOURCE_TYPES: Record<AclResource, AclResourceTypes> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
};
const PATTERN_TYPES: Record<AclPattern, ResourcePatternTypes> = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
};
const OPERATION_TYPES: Record<AclOperation, AclOperationTypes> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
};
const invert = <K extends string, V>(map: Record<K, V>) =>
  new Map(Object.entries(map).map(([k, v]) => [v as V, k as K]));
const RESOURCES = invert(RESOURCE_TYPES);
const PATTERNS = invert(PATTERN_TYPES);
const OPERATIONS = invert(OPERATION_TYPES);

function aclEntry(rule: AccessRule): AclEntry {
  return {
    resourceType: RESOURCE_TYPES[rule.resource],
    resourceName: rule.name,
    resourcePatternType: PATTERN_TYPES[rule.pattern],
    principal: `User:${rule.principal}`,
    host: '*',
    operation: OPERATION_TYPES[rule.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}
