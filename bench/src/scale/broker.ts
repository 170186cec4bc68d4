import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from 'kafkajs';
import { kafkaBrokerPids } from '../proc-cpu';

/**
 * What the one local broker holds, read from outside it: the process's RSS
 * from /proc, its JVM heap from jstat, its partition folders from its log
 * dir. Each is null where it cannot be read (no local broker, no JDK tools).
 */

export function brokerPid(): number | null {
  const pids = kafkaBrokerPids();
  return pids.length === 1 ? pids[0] : null;
}

export function rssMiB(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Open file descriptors: every partition's active segment keeps its log and index files open. */
export function openFiles(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/**
 * Heap in use after a full collection: without the collection, the figure is
 * mostly how much garbage happened to be in the young generation. One
 * System.gc() on a 512 MiB heap pauses the broker for well under a second,
 * which the other users of the shared broker can afford.
 */
export function heapAfterGcMiB(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore', timeout: 20000 });
    const out = execFileSync('jstat', ['-gc', String(pid)], { encoding: 'utf8', timeout: 20000 });
    const [header, values] = out.trim().split('\n');
    const names = header.trim().split(/\s+/);
    const nums = values.trim().split(/\s+/).map(Number);
    const used = ['S0U', 'S1U', 'EU', 'OU'].reduce((s, n) => s + (nums[names.indexOf(n)] || 0), 0);
    return used / 1024;
  } catch {
    return null;
  }
}

/**
 * The broker's log dir: KAFKA_LOG_DIR, else (when the broker is this
 * checkout's own, not KAFKA_BROKERS) the one deploy/kafka/kafka.sh uses.
 */
export function logDir(repo: string, external: boolean): string | null {
  const dir =
    process.env.KAFKA_LOG_DIR || (external ? null : join(repo, '.local/kafka/node-0/logs'));
  return dir && existsSync(dir) ? dir : null;
}

/** Bytes of the .log segment files of a partition (indexes are preallocated, sparse, and rebuilt). */
export function partitionLogBytes(dir: string, topic: string, partition: number): number | null {
  const folder = join(dir, `${topic}-${partition}`);
  if (!existsSync(folder)) return null;
  return readdirSync(folder)
    .filter((f) => f.endsWith('.log'))
    .reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);
}

/** The KRaft metadata log's bytes: every topic and partition the cluster knows is a record there. */
export function metadataLogBytes(dir: string): number | null {
  return partitionLogBytes(dir, '__cluster_metadata', 0);
}

/** Median time of a full metadata request (every topic) and of one for a single topic. */
export async function metadataTimes(
  admin: Admin,
  probe: string,
  rounds = 15,
): Promise<{ allTopicsMs: number; oneTopicMs: number; topics: number }> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const all: number[] = [];
  const one: number[] = [];
  let topics = 0;
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    // fetchTopicMetadata without topics asks for every topic: what a client's refresh costs
    const meta = await admin.fetchTopicMetadata();
    all.push(performance.now() - t);
    topics = meta.topics.length;
    t = performance.now();
    await admin.fetchTopicMetadata({ topics: [probe] });
    one.push(performance.now() - t);
  }
  return { allTopicsMs: median(all), oneTopicMs: median(one), topics };
}
