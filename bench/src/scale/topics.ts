import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  ResourcePatternTypes,
} from 'kafkajs';
import {
  accessRules,
  coordinatorPrincipal,
  createMissingTopics,
  NetworkAccess,
  networkTopics,
  nodePrincipal,
  provisionNetwork,
} from '@yipanqi/kafka-access';
import {
  brokerPid,
  heapAfterGcMiB,
  metadataLogBytes,
  metadataTimes,
  openFiles,
  rssMiB,
} from './broker';

export interface BrokerState {
  rssMiB: number | null;
  heapAfterGcMiB: number | null;
  openFiles: number | null;
  metadataAllTopicsMs: number;
  metadataOneTopicMs: number;
  topicsOnCluster: number;
  metadataLogBytes: number | null;
}

export interface TopicsResult {
  nodes: number;
  topics: number;
  partitions: number;
  aclRules: number;
  createTopicsSeconds: number;
  createAclsSeconds: number;
  deleteSeconds: number;
  before: BrokerState;
  after: BrokerState;
  afterDelete: BrokerState;
  /** what each partition added, (after − before) / partitions */
  perPartition: {
    rssKiB: number | null;
    heapKiB: number | null;
    openFiles: number | null;
    metadataLogBytes: number | null;
  };
}

/** `count` simulated members with distinct valid-shaped codes (9xxxxx: no real division). */
export function simulatedMembers(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    code: String(900000 + i),
    suspended: false,
  }));
}

async function state(admin: Admin, probe: string, logDir: string | null): Promise<BrokerState> {
  const pid = brokerPid();
  const times = await metadataTimes(admin, probe);
  return {
    rssMiB: rssMiB(pid),
    heapAfterGcMiB: heapAfterGcMiB(pid),
    openFiles: openFiles(pid),
    metadataAllTopicsMs: times.allTopicsMs,
    metadataOneTopicMs: times.oneTopicMs,
    topicsOnCluster: times.topics,
    metadataLogBytes: logDir ? metadataLogBytes(logDir) : null,
  };
}

/**
 * Every topic (inbox, dead letters, sent journal per node; directory and
 * evaluation) and every ACL of a network of `nodes` members, made by the
 * repo's provisioning (networkTopics → createMissingTopics, provisionNetwork
 * for the ACLs), measured, then deleted with their ACLs. The directory topic
 * `probe` of the run (created beforehand) is what single-topic metadata asks for.
 */
export async function measureTopics(options: {
  admin: Admin;
  topicPrefix: string;
  nodes: number;
  probe: string;
  logDir: string | null;
  log: (line: string) => void;
}): Promise<TopicsResult> {
  const { admin, topicPrefix, nodes, probe, logDir, log } = options;
  const network: NetworkAccess = { topicPrefix, members: simulatedMembers(nodes), auditors: [] };
  const topics = networkTopics(network).filter((t) => t.topic !== probe);
  const partitions = topics.reduce((n, t) => n + (t.numPartitions ?? 1), 0);
  const rules = accessRules(network);

  const before = await state(admin, probe, logDir);
  log(`topics: creating ${topics.length} topics (${partitions} partitions) of ${nodes} nodes`);
  let createTopicsSeconds = 0;
  let createAclsSeconds = 0;
  let after: BrokerState;
  const t0 = performance.now();
  try {
    await createMissingTopics(admin, topics);
    createTopicsSeconds = (performance.now() - t0) / 1000;
    log(`topics: ${createTopicsSeconds.toFixed(1)} s; granting ${rules.length} ACL rules`);
    const t1 = performance.now();
    await provisionNetwork(admin, network);
    createAclsSeconds = (performance.now() - t1) / 1000;
    after = await state(admin, probe, logDir);
  } finally {
    await removeNetwork(admin, topicPrefix, network, probe);
  }
  const deleteSeconds = (performance.now() - t0) / 1000 - createTopicsSeconds - createAclsSeconds;
  // the broker drops a deleted partition's folder and state asynchronously
  await new Promise((r) => setTimeout(r, 5000));
  const afterDelete = await state(admin, probe, logDir);
  const per = (a: number | null, b: number | null, unit: number) =>
    a === null || b === null ? null : ((a - b) * unit) / partitions;
  return {
    nodes,
    topics: topics.length,
    partitions,
    aclRules: rules.length,
    createTopicsSeconds,
    createAclsSeconds,
    deleteSeconds,
    before,
    after,
    afterDelete,
    perPartition: {
      rssKiB: per(after.rssMiB, before.rssMiB, 1024),
      heapKiB: per(after.heapAfterGcMiB, before.heapAfterGcMiB, 1024),
      openFiles: per(after.openFiles, before.openFiles, 1),
      metadataLogBytes: per(after.metadataLogBytes, before.metadataLogBytes, 1),
    },
  };
}

/** Deletes the network's topics (all under the run's prefix but the probe) and its principals' ACLs. */
export async function removeNetwork(
  admin: Admin,
  topicPrefix: string,
  network: NetworkAccess,
  keep: string,
): Promise<void> {
  const mine = (await admin.listTopics()).filter(
    (t) => t.startsWith(`${topicPrefix}.`) && t !== keep,
  );
  if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 60000 });
  const principals = [
    ...network.members.map((m) => nodePrincipal(m.code, topicPrefix)),
    coordinatorPrincipal(topicPrefix),
  ];
  await admin.deleteAcls({
    filters: principals.map((p) => ({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: `User:${p}`,
      host: '*',
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    })),
  });
}
