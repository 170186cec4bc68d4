import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { generateNodeKeys } from '@yipanqi/crypto';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
} from 'kafkajs';
import {
  createMissingTopics,
  directoryTopicConfig,
  KafkaConnection,
  kafkaClient,
  kafkaSettingsFromEnv,
  loadKafkaCredentials,
} from '@yipanqi/kafka-access';
import { directoryTopic } from '@yipanqi/contracts';
import { machineCpuSeconds } from '../proc-cpu';
import { logDir } from './broker';
import { measureCampaign } from './campaign';
import { divisionCodes, measureDirectory } from './directory';
import { measureDiskPerType } from './disk';
import { sampleEnvelopes } from './envelopes';
import { campaignExtrapolation, diskPerYear, NATIONAL, topology } from './national';
import { measureTopics } from './topics';

/**
 * npm run bench:scale — the measured, scaled-down runs behind docs/scale.md:
 * 1. envelope sizes of the main message types and their bytes on the broker's disk;
 * 2. the topics and ACLs of SCALE_NODES (100) simulated nodes on the one broker;
 * 3. a signed directory of 330 prefectures and of 2,800 counties: bytes, verify and load time;
 * 4. the coordinator's campaign computation over 100 participants at two log sizes.
 * Everything it creates on the cluster is under one prefix of its own, deleted at the end.
 * Writes bench/scale-results.json (SCALE_RESULTS to write elsewhere).
 */

// dist/bench-scale/bench/src/scale/main.js → the repository
const repo = resolve(__dirname, '../../../../..');
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const settings = {
    nodes: intFromEnv('SCALE_NODES', 100),
    participants: intFromEnv('SCALE_PARTICIPANTS', 100),
    partnersPerNode: intFromEnv('SCALE_PARTNERS', 2),
    smallUnits: intFromEnv('SCALE_UNITS_SMALL', 1),
    largeUnits: intFromEnv('SCALE_UNITS_LARGE', 2),
  };
  const kafka = kafkaSettingsFromEnv();
  const pkiDir = process.env.KAFKA_PKI_DIR || join(repo, '.local', 'kafka-pki');
  // the operator's certificate: only the operator creates and deletes topics and ACLs
  const connection: KafkaConnection = {
    brokers: kafka.brokers,
    credentials:
      process.env.KAFKA_TLS === 'off'
        ? undefined
        : loadKafkaCredentials(process.env.KAFKA_OPERATOR_CREDENTIALS || join(pkiDir, 'operator')),
  };
  const prefix = `scale-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const client = kafkaClient(connection, 'yipanqi-bench-scale');
  const admin = client.admin();
  const dir = logDir(repo, kafka.external);
  const cpuStart = machineCpuSeconds();
  const started = Date.now();
  await admin.connect();

  const cleanup = async () => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 60000 });
    const { groups } = await admin.listGroups();
    const mine = groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (mine.length > 0) await admin.deleteGroups(mine);
    // ACLs left by an interrupted topics phase: every principal under the run's prefix
    const any = {
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    };
    const { resources } = await admin.describeAcls(any);
    const principals = new Set(
      resources
        .flatMap((r) => r.acls.map((a) => a.principal))
        .filter((p) => p.startsWith(`User:${prefix}`)),
    );
    if (principals.size > 0) {
      await admin.deleteAcls({
        filters: [...principals].map((principal) => ({ ...any, principal })),
      });
    }
    return topics.length + mine.length + principals.size;
  };
  const onSignal = () => {
    log('interrupted: deleting what this run created');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`prefix ${prefix}; broker log dir ${dir ?? 'not readable (disk figures left out)'}`);

    // 1. envelopes and their bytes on disk
    const samples = await sampleEnvelopes(generateNodeKeys(), generateNodeKeys());
    for (const s of samples) log(`envelope ${s.type} (${s.form}): ${s.bytes} bytes`);
    const disk = await measureDiskPerType({
      kafka: client,
      admin,
      topicPrefix: prefix,
      samples,
      // ≈ 1–3 MB per type: enough batches that per-batch overhead averages out
      copies: () => 2_000,
      logDir: dir,
    });

    // 2. the topics of `nodes` simulated nodes; the directory topic of the run is the metadata probe
    const topicsPrefix = `${prefix}-net`;
    await createMissingTopics(admin, [directoryTopicConfig(topicsPrefix)]);
    const topics = await measureTopics({
      admin,
      topicPrefix: topicsPrefix,
      nodes: settings.nodes,
      probe: directoryTopic(topicsPrefix),
      logDir: dir,
      log,
    });
    log(
      `topics: ${topics.topics} topics / ${topics.partitions} partitions created in ${topics.createTopicsSeconds.toFixed(1)} s, ` +
        `RSS ${topics.before.rssMiB?.toFixed(0)} → ${topics.after.rssMiB?.toFixed(0)} MiB, ` +
        `heap ${topics.before.heapAfterGcMiB?.toFixed(0)} → ${topics.after.heapAfterGcMiB?.toFixed(0)} MiB`,
    );

    // 3. directories
    const directories = [];
    for (const [level, n] of [
      ['prefecture', NATIONAL.prefectureNodes],
      ['county', NATIONAL.countyNodes],
    ] as const) {
      const result = await measureDirectory({
        kafka: client,
        connection,
        admin,
        topicPrefix: `${prefix}-dir${n}`,
        codes: divisionCodes(level, n),
        level,
        logDir: dir,
        log,
      });
      log(
        `directory ×${n}: ${result.recordBytes} bytes, verify ${result.verifyCpuMs.toFixed(0)} ms CPU, node load ${result.nodeLoadMs.toFixed(0)} ms`,
      );
      directories.push(result);
    }

    // 4. campaign computation at two sizes
    const piiOf = (type: string) => {
      const s = samples.find((x) => x.type === type);
      const pii = (s?.envelope.payload as { pii?: string } | undefined)?.pii;
      if (!pii) throw new Error(`no pii sample for ${type}`);
      return pii;
    };
    const shape = {
      participants: settings.participants,
      partnersPerNode: settings.partnersPerNode,
      pii: {
        arrival: piiOf('migrant.arrival'),
        verification: piiOf('certificate.verify.requested'),
        notice: piiOf('notice'),
        task: piiOf('task.requested'),
      },
    };
    // the first campaign in a process pays for compiling the code paths: a small one, discarded
    await measureCampaign(
      { ...shape, participants: 10, unitsPerPair: 1 },
      { log: (line) => log(`warm-up ${line}`) },
    );
    const small = await measureCampaign(
      { ...shape, unitsPerPair: settings.smallUnits },
      { idleParticipants: true, log },
    );
    log(
      `campaign small: ${small.envelopes} envelopes, verify ${small.verifySeconds.toFixed(1)} s CPU (${small.verifyWallSeconds.toFixed(1)} s wall), recompute ${small.recomputeSeconds.toFixed(1)} s CPU`,
    );
    const large = await measureCampaign({ ...shape, unitsPerPair: settings.largeUnits }, { log });
    log(
      `campaign large: ${large.envelopes} envelopes, verify ${large.verifySeconds.toFixed(1)} s CPU (${large.verifyWallSeconds.toFixed(1)} s wall), recompute ${large.recomputeSeconds.toFixed(1)} s CPU`,
    );

    const cpuEnd = machineCpuSeconds();
    const elapsed = (Date.now() - started) / 1000;
    const results = {
      command: 'npm run bench:scale',
      measuredAt: new Date().toISOString(),
      commit: commit(),
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryGiB: totalmem() / 2 ** 30,
        node: process.version,
        // the machine is shared: mean busy cores over the run, this process and the broker included
        meanBusyCores: cpuStart && cpuEnd ? (cpuEnd.busy - cpuStart.busy) / elapsed : null,
      },
      kafka: { brokers: kafka.brokers, external: kafka.external, logDir: dir },
      settings,
      measured: {
        envelopes: samples.map((s) => ({
          type: s.type,
          form: s.form,
          bytes: s.bytes,
          records: s.records,
        })),
        diskPerType: disk,
        topics,
        directories,
        campaign: { small, large },
      },
      extrapolated: {
        topology330: topology(NATIONAL.prefectureNodes, topics),
        topology2800: topology(NATIONAL.countyNodes, topics),
        diskPerYear: diskPerYear(disk),
        campaign: campaignExtrapolation(small, large),
      },
    };
    const file = process.env.SCALE_RESULTS || join(repo, 'bench/scale-results.json');
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    log(`results written to ${file}`);
  } finally {
    const removed = await cleanup().catch((err: Error) => {
      log(`cleanup failed: ${err.message} — delete topics and groups under ${prefix} by hand`);
      return -1;
    });
    if (removed >= 0) log(`cleanup: ${removed} topics and groups of this run deleted`);
    await admin.disconnect();
  }
}

main().catch((err: Error) => {
  console.error(`bench:scale failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
