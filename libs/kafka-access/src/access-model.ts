import {
  deadLetterTopic,
  directoryTopic,
  evaluationTopic,
  sentJournalTopic,
  TOPIC_PREFIX,
} from '@yipanqi/contracts';

/**
 * Who may do what on the cluster (DESIGN §5, docs/operations.md "Kafka
 * security"). One model, from which the local provisioning makes ACLs and
 * deploy/k8s its Strimzi KafkaUser resources. Everything not granted here is
 * denied (StandardAuthorizer, allow.everyone.if.no.acl.found=false); the
 * operator is a super user and the only one who creates, deletes or alters
 * topics, configs and ACLs.
 */

/** The operator's principal (super user of the cluster). */
export const OPERATOR_PRINCIPAL = 'operator';

export type AclResource = 'topic' | 'group';
export type AclPattern = 'literal' | 'prefixed';
export type AclOperation = 'read' | 'write' | 'describe';

export interface AccessRule {
  /** certificate CN, without `User:` */
  principal: string;
  resource: AclResource;
  pattern: AclPattern;
  name: string;
  operation: AclOperation;
}

export interface NetworkMember {
  code: string;
  /** suspended in the directory: it keeps reading but may not write to any inbox */
  suspended: boolean;
}

export interface NetworkAccess {
  topicPrefix?: string;
  /** every node the signed directory lists */
  members: NetworkMember[];
  /** auditor names (principal `<prefix>.auditor.<name>`) */
  auditors: string[];
}

export function nodePrincipal(code: string, prefix = TOPIC_PREFIX): string {
  return `${prefix}.node.${code}`;
}

export function coordinatorPrincipal(prefix = TOPIC_PREFIX): string {
  return `${prefix}.coordinator`;
}

export function auditorPrincipal(name: string, prefix = TOPIC_PREFIX): string {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`auditor name must be [a-z0-9-]+: ${name}`);
  return `${prefix}.auditor.${name}`;
}

/** Principals of a network's ACLs all start with this: the provisioning manages only these. */
export function networkPrincipalPrefix(prefix = TOPIC_PREFIX): string {
  return `${prefix}.`;
}

const inboxes = (prefix: string) => `${prefix}.inbox.`;

/**
 * The rules of a network. Writes to inboxes are one PREFIXED rule per node,
 * not one rule per partner: with n members that is n rules instead of n², and
 * only the operator creates topics, so every inbox under the prefix is a
 * member's. Consumer groups are named as the readers name them (the node's
 * inbox group, per-process directory and reader groups under a prefix).
 */
export function accessRules(network: NetworkAccess): AccessRule[] {
  const prefix = network.topicPrefix ?? TOPIC_PREFIX;
  const rules: AccessRule[] = [];
  const grant = (
    principal: string,
    resource: AclResource,
    pattern: AclPattern,
    name: string,
    operations: AclOperation[],
  ) => {
    for (const operation of operations)
      rules.push({ principal, resource, pattern, name, operation });
  };
  for (const member of network.members) {
    const me = nodePrincipal(member.code, prefix);
    grant(me, 'topic', 'literal', `${inboxes(prefix)}${member.code}`, ['read']);
    grant(me, 'group', 'literal', `${prefix}.node.${member.code}`, ['read']);
    // its dead letters are evidence about its own inbox: kept writable while suspended
    grant(me, 'topic', 'literal', deadLetterTopic(member.code, prefix), ['read', 'write']);
    // its own record of what it sent (read back after a restore): kept writable while suspended
    grant(me, 'topic', 'literal', sentJournalTopic(member.code, prefix), ['read', 'write']);
    // one group per reading process (restored replicas starting together do not wait on each other)
    grant(me, 'group', 'prefixed', `${prefix}.node.${member.code}.journal.`, ['read']);
    grant(me, 'topic', 'literal', directoryTopic(prefix), ['read']);
    grant(me, 'group', 'prefixed', `${prefix}.directory.${member.code}.`, ['read']);
    if (!member.suspended) grant(me, 'topic', 'prefixed', inboxes(prefix), ['write']);
  }
  const coordinator = coordinatorPrincipal(prefix);
  grant(coordinator, 'topic', 'literal', directoryTopic(prefix), ['read', 'write']);
  grant(coordinator, 'topic', 'literal', evaluationTopic(prefix), ['read', 'write']);
  grant(coordinator, 'topic', 'prefixed', inboxes(prefix), ['read']);
  grant(coordinator, 'group', 'prefixed', `${prefix}.coordinator.`, ['read']);
  for (const name of network.auditors) {
    const auditor = auditorPrincipal(name, prefix);
    grant(auditor, 'topic', 'prefixed', inboxes(prefix), ['read']);
    grant(auditor, 'topic', 'literal', directoryTopic(prefix), ['read']);
    grant(auditor, 'topic', 'literal', evaluationTopic(prefix), ['read']);
    grant(auditor, 'group', 'prefixed', `${prefix}.auditor.`, ['read']);
  }
  return rules;
}

/** A stable text form of a rule, for comparing what the cluster has with what it should have. */
export function ruleKey(rule: AccessRule): string {
  return [rule.principal, rule.resource, rule.pattern, rule.name, rule.operation].join('|');
}
