import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { directoryTopic, Envelope, inboxTopic, UnsignedEnvelope } from '@yipanqi/contracts';
import { encryptPii, exportPublicKeys, generateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import { signDirectoryEntry } from '@yipanqi/directory';
import { envelopeHash, signEnvelope } from '@yipanqi/exchange';
import { TopicRecord } from '@yipanqi/exchange-log';
import { ArchiveWriter } from '../../apps/auditor/src/archive/archive-files';
import { NOTICE } from './sample';

/**
 * A synthetic signed exchange log as an export archive (apps/auditor/src/archive)
 * that `auditor replay --archive` reads: inflow cities send notices to one
 * outflow city, which receipts each of them, numbered, chained and signed as
 * the outbox does, on a directory signed by a generated coordinator. Built
 * without nodes or a broker, so that a million records take minutes, not hours.
 * Each notice carries a real JWE (a pool of them: the auditor never opens it,
 * only its size and bytes count).
 */
export const AUDIT_PREFIX = 'bench-audit';
export const OUTFLOW = '511500';
export const INFLOW = ['441300', '440300', '440100', '445100'];
const PARTITIONS = 3;
/** broker time of the first record and the spacing of notices */
const T0 = Date.UTC(2026, 0, 5, 8);
const STEP_MS = 10;
const JWE_POOL = 64;

export interface AuditLog {
  dir: string;
  records: number;
  /** the coordinator's raw Ed25519 public key (base64url), for --coordinator-key */
  coordinatorKey: string;
}

interface About {
  records: number;
  coordinatorKey: string;
}

/**
 * The archive of `records` inbox records (half notices, half receipts) in
 * `dir`, written unless a complete one of that size is there already.
 */
export async function syntheticAuditLog(
  dir: string,
  records: number,
  log: (line: string) => void,
): Promise<AuditLog> {
  const aboutFile = join(dir, '..', `${dir.split('/').pop()}.about.json`);
  if (existsSync(join(dir, 'manifest.json')) && existsSync(aboutFile)) {
    const about = JSON.parse(readFileSync(aboutFile, 'utf8')) as About;
    if (about.records === records) return { dir, ...about };
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(aboutFile, { force: true });
  const coordinator = generateNodeKeys();
  const keys = new Map<string, NodeKeys>(
    [OUTFLOW, ...INFLOW].map((code) => [code, generateNodeKeys()]),
  );
  const writer = ArchiveWriter.create(dir);
  const directory = directoryTopic(AUDIT_PREFIX);
  const inboxes = [OUTFLOW, ...INFLOW].map((code) => inboxTopic(code, AUDIT_PREFIX));
  const pairs = Math.ceil(records / 2);
  const perSender = Math.ceil(pairs / INFLOW.length);
  const counts = new Map<string, number>();
  // offsets are known before writing: ArchiveWriter.plan wants each partition's range
  const partitionOf = (sender: string) => Number(sender) % PARTITIONS;
  for (const [i, code] of INFLOW.entries()) {
    const notices = Math.max(0, Math.min(perSender, pairs - i * perSender));
    const receipts = Math.max(0, Math.min(notices, records - pairs - i * perSender));
    add(counts, `${inboxTopic(OUTFLOW, AUDIT_PREFIX)}/${partitionOf(code)}`, notices);
    add(counts, `${inboxTopic(code, AUDIT_PREFIX)}/${partitionOf(OUTFLOW)}`, receipts);
  }
  writer.plan({ topic: directory, partition: 0, start: 0n, end: BigInt(keys.size) });
  for (const topic of inboxes) {
    for (let p = 0; p < PARTITIONS; p++) {
      writer.plan({
        topic,
        partition: p,
        start: 0n,
        end: BigInt(counts.get(`${topic}/${p}`) ?? 0),
      });
    }
  }
  let offset = 0;
  for (const [code, k] of keys) {
    const entry = signDirectoryEntry(
      {
        code,
        name: code,
        level: 'prefecture',
        status: 'active',
        keys: [{ ...exportPublicKeys(k), validFrom: T0 - 3600_000 }],
        suspensions: [],
        version: 1,
        issuedAt: T0 - 7200_000,
      },
      coordinator.signing.privateKey,
    );
    writer.write(record(directory, 0, offset++, T0 - 7200_000, code, entry));
  }

  const outflow = keys.get(OUTFLOW) as NodeKeys;
  const jwes: string[] = [];
  for (let i = 0; i < JWE_POOL; i++) {
    jwes.push(
      await encryptPii({ title: NOTICE.title, text: NOTICE.text }, outflow.encryption.publicKey),
    );
  }
  const streams = new Map<string, { seq: number; hash: string | null }>();
  const offsets = new Map<string, number>();
  const next = (from: string, to: string) => {
    const s = streams.get(`${from}→${to}`) ?? { seq: 0, hash: null };
    return { seq: s.seq + 1, prevHash: s.hash };
  };
  const deliver = (envelope: Envelope, at: number) => {
    const hash = envelopeHash(envelope);
    streams.set(`${envelope.from}→${envelope.to}`, { seq: envelope.seq, hash });
    const topic = inboxTopic(envelope.to, AUDIT_PREFIX);
    const partition = partitionOf(envelope.from);
    const where = `${topic}/${partition}`;
    const o = offsets.get(where) ?? 0;
    offsets.set(where, o + 1);
    writer.write(record(topic, partition, o, at, envelope.from, envelope, envelope));
    return hash;
  };

  let written = 0;
  const started = Date.now();
  for (let n = 0; n < pairs; n++) {
    const sender = INFLOW[Math.floor(n / perSender)];
    const at = T0 + n * STEP_MS;
    const notice = signEnvelope(
      envelopeOf(sender, OUTFLOW, 'notice', next(sender, OUTFLOW), at, null, {
        category: NOTICE.category,
        domain: NOTICE.domain,
        pii: jwes[n % JWE_POOL],
      }),
      (keys.get(sender) as NodeKeys).signing.privateKey,
    );
    const noticeHash = deliver(notice, at);
    written++;
    if (written < records) {
      const receipt = signEnvelope(
        envelopeOf(OUTFLOW, sender, 'receipt', next(OUTFLOW, sender), at + 5, notice.id, {
          messageId: notice.id,
          messageHash: noticeHash,
          brokerTime: at,
        }),
        outflow.signing.privateKey,
      );
      deliver(receipt, at + 5);
      written++;
    }
    if (n > 0 && n % 50000 === 0) {
      log(`audit log: ${written} records signed (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  }
  const end = T0 + pairs * STEP_MS + 3600_000;
  writer.finish({
    topicPrefix: AUDIT_PREFIX,
    cutAt: new Date(end).toISOString(),
    from: null,
    to: null,
  });
  const about: About = {
    records: written,
    coordinatorKey: exportPublicKeys(coordinator).signingKey,
  };
  writeFileSync(aboutFile, `${JSON.stringify(about)}\n`);
  return { dir, ...about };
}

function add(counts: Map<string, number>, key: string, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

function envelopeOf(
  from: string,
  to: string,
  type: string,
  position: { seq: number; prevHash: string | null },
  at: number,
  causationId: string | null,
  payload: Record<string, unknown>,
): UnsignedEnvelope {
  return {
    id: randomUUID(),
    type,
    v: 1,
    from,
    to,
    agreementId: null,
    correlationId: null,
    causationId,
    ...position,
    occurredAt: new Date(at - 1).toISOString(),
    payload,
  };
}

function record(
  topic: string,
  partition: number,
  offset: number,
  timestamp: number,
  key: string,
  value: object,
  envelope?: Envelope,
): TopicRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    timestamp,
    key: Buffer.from(key),
    headers: envelope
      ? [
          { name: 'type', value: Buffer.from(envelope.type) },
          { name: 'id', value: Buffer.from(envelope.id) },
        ]
      : [],
    value: Buffer.from(JSON.stringify(value)),
  };
}
