import { accessRules, INBOX_PARTITIONS } from '@yipanqi/kafka-access';
import { CampaignRun } from './campaign';
import { DiskPerType } from './disk';
import { simulatedMembers, TopicsResult } from './topics';

/**
 * From the measured figures to the national ones. Every rule is here, in
 * one place, so that docs/scale.md can name it and a reader can change an
 * assumption and run the arithmetic again.
 */

/** DESIGN §10 and the source material it cites. */
export const NATIONAL = {
  peopleAway: 376_000_000,
  prefectureNodes: 330,
  countyNodes: 2_800,
  cityCampaignRecords: 970_000,
  cityCertificateChecks: 130_000,
  cityNotifications: 40_000,
} as const;

/** Kafka's replication on a cluster of three or more brokers (DESIGN §5, withReplication). */
export const REPLICATION_FACTOR = 3;
/** Partitions per node: inbox (INBOX_PARTITIONS), dead letters (1), sent journal (1). */
export const PARTITIONS_PER_NODE = INBOX_PARTITIONS + 2;
/**
 * The guideline KIP-578 quotes (ZooKeeper era, never enforced): 4,000
 * partition replicas per broker, 200,000 per cluster. KRaft lifts the
 * cluster-wide bound; the per-broker cost (files, memory, replication
 * fetchers) stays, so it remains the rule used for brokers needed here.
 */
export const REPLICAS_PER_BROKER_GUIDELINE = 4_000;

export function topology(nodes: number, topics: TopicsResult) {
  const partitions = nodes * PARTITIONS_PER_NODE + 2;
  const replicas = partitions * REPLICATION_FACTOR;
  const brokersForPartitions = Math.max(
    REPLICATION_FACTOR,
    Math.ceil(replicas / REPLICAS_PER_BROKER_GUIDELINE),
  );
  const perRssKiB = topics.perPartition.rssKiB;
  const perHeapKiB = topics.perPartition.heapKiB;
  const createSecondsPerPartition = topics.createTopicsSeconds / topics.partitions;
  return {
    nodes,
    topics: nodes * 3 + 2,
    partitions,
    partitionReplicas: replicas,
    aclRules: accessRules({
      members: simulatedMembers(nodes),
      auditors: ['national'],
    }).length,
    // one inbox group per node (its replicas share it); each running process adds a directory
    // group of its own (never committed, gone when the process stops), a restoring one a journal group
    inboxGroups: nodes,
    liveGroupsWithTwoReplicasEach: nodes * (1 + 2),
    brokersByReplicaGuideline: brokersForPartitions,
    replicasPerBrokerOnThat: Math.ceil(replicas / brokersForPartitions),
    // linear in partitions: per-partition cost measured on one broker with 100 nodes
    brokerRssForPartitionsMiB:
      perRssKiB === null ? null : (perRssKiB * replicas) / 1024 / brokersForPartitions,
    brokerHeapForPartitionsMiB:
      perHeapKiB === null ? null : (perHeapKiB * replicas) / 1024 / brokersForPartitions,
    brokerOpenFilesForPartitions:
      topics.perPartition.openFiles === null
        ? null
        : (topics.perPartition.openFiles * replicas) / brokersForPartitions,
    createAllTopicsSecondsOneBroker: createSecondsPerPartition * partitions,
  };
}

/**
 * One year of the national exchange, per DESIGN §10's figures: every person
 * living away from their registration reported once a year (one arrival;
 * 376 M / 330 ≈ 1.14 M per prefecture, about one city campaign), certificate
 * checks and notifications in the city campaign's proportions. Each arrival
 * is its own `migrant.arrival` (the committed code has no bulk form). Every
 * message is answered by a receipt; every envelope is on disk twice (the
 * recipient's inbox and the sender's sent journal, OutboxRelay), on each of
 * 3 replicas.
 */
export function diskPerYear(disk: DiskPerType[]) {
  const bytesOf = (type: string) => {
    const d = disk.find((x) => x.type === type);
    if (!d || d.diskBytesPerRecord === null) throw new Error(`no disk figure for ${type}`);
    return d.diskBytesPerRecord;
  };
  const people = NATIONAL.peopleAway;
  const checks = (people * NATIONAL.cityCertificateChecks) / NATIONAL.cityCampaignRecords;
  const notices = (people * NATIONAL.cityNotifications) / NATIONAL.cityCampaignRecords;
  const receipt = bytesOf('receipt');
  const lines = [
    { what: 'migrant.arrival', count: people, bytes: bytesOf('migrant.arrival') },
    {
      what: 'certificate.verify.requested',
      count: checks,
      bytes: bytesOf('certificate.verify.requested'),
    },
    {
      what: 'certificate.verify.answered',
      count: checks,
      bytes: bytesOf('certificate.verify.answered'),
    },
    { what: 'notice', count: notices, bytes: bytesOf('notice') },
    {
      what: 'receipt (one per message above)',
      count: people + 2 * checks + notices,
      bytes: receipt,
    },
  ].map((l) => ({ ...l, totalBytes: l.count * l.bytes }));
  const inboxBytes = lines.reduce((s, l) => s + l.totalBytes, 0);
  const stored = inboxBytes * 2 * REPLICATION_FACTOR;
  return {
    lines,
    envelopes: lines.reduce((s, l) => s + l.count, 0),
    inboxBytesOneCopy: inboxBytes,
    clusterBytes: stored,
    clusterTiB: stored / 2 ** 40,
    perPrefectureNodeGiB: stored / NATIONAL.prefectureNodes / 2 ** 30,
    meanWriteMiBPerSecond: stored / (365 * 86400) / 2 ** 20,
  };
}

/**
 * Campaign computation CPU time = per-unit cost × units + per-pair cost ×
 * ordered pairs. The per-pair cost comes from the same log scored with twice
 * the participants (the extra ones sent nothing, so only pairs are added);
 * the per-unit cost from the larger run, its pairs' share taken off — a
 * proportional rule, which keeps the run's fixed costs in (an overestimate
 * by them). The smaller run checks that rule: its time over the larger's
 * should be its units over the larger's. A unit is the city campaign's mix
 * for one directed pair (96 person records, see campaign.ts), so a national
 * year is peopleAway / 96 units, whatever the number of nodes.
 */
export function campaignExtrapolation(small: CampaignRun, large: CampaignRun) {
  const units = (r: CampaignRun) => r.directedPairs * r.unitsPerPair;
  const idle = small.recomputeWithIdleParticipants;
  const perPair = idle
    ? Math.max(0, (idle.seconds - small.recomputeSeconds) / (idle.scoredPairs - small.scoredPairs))
    : 0;
  const verifyPerUnit = large.verifySeconds / units(large);
  const recomputePerUnit =
    Math.max(0, large.recomputeSeconds - perPair * large.scoredPairs) / units(large);
  const heapPerUnitMiB = large.heapUsedMiB / units(large);
  const envelopesPerUnit = large.envelopes / units(large);
  const nationalUnits = NATIONAL.peopleAway / 96;
  const at = (nodes: number) => {
    const pairs = nodes * (nodes - 1);
    const verifySeconds = verifyPerUnit * nationalUnits;
    const recomputeSeconds = recomputePerUnit * nationalUnits + perPair * pairs;
    return {
      participants: nodes,
      orderedPairs: pairs,
      units: nationalUnits,
      envelopes: envelopesPerUnit * nationalUnits,
      verifyCpuHours: verifySeconds / 3600,
      recomputeCpuHours: recomputeSeconds / 3600,
      totalCpuHours: (verifySeconds + recomputeSeconds) / 3600,
      heapGiB: (heapPerUnitMiB * nationalUnits) / 1024,
    };
  };
  // one city's campaign: its 970,000 records with, say, its 30 partners
  const cityUnits = NATIONAL.cityCampaignRecords / 96;
  return {
    verifyMsPerUnit: verifyPerUnit * 1000,
    recomputeMsPerUnit: recomputePerUnit * 1000,
    verifyUsPerEnvelope: (verifyPerUnit / envelopesPerUnit) * 1e6,
    envelopesPerUnit,
    heapKiBPerUnit: heapPerUnitMiB * 1024,
    heapBytesPerEnvelope: (heapPerUnitMiB * 2 ** 20) / envelopesPerUnit,
    recomputeMsPerPair: perPair * 1000,
    linearity: {
      unitsRatio: units(large) / units(small),
      verifyRatio: large.verifySeconds / small.verifySeconds,
      recomputeRatio: large.recomputeSeconds / small.recomputeSeconds,
      heapRatio: large.heapUsedMiB / small.heapUsedMiB,
    },
    oneCityCampaign: {
      records: NATIONAL.cityCampaignRecords,
      participants: 31,
      units: cityUnits,
      cpuSeconds: (verifyPerUnit + recomputePerUnit) * cityUnits + perPair * 31 * 30,
      heapMiB: heapPerUnitMiB * cityUnits,
    },
    national330: at(NATIONAL.prefectureNodes),
    national2800: at(NATIONAL.countyNodes),
  };
}
