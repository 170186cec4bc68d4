import { v7 as uuidv7 } from 'uuid';
import { Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { exportPublicKeys, generateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import { signDirectoryEntry } from '@yipanqi/directory';
import { envelopeHash, signEnvelope } from '@yipanqi/exchange';
import { TopicRecord } from '../src/log/topic-record';

/**
 * Test fixture for the auditor's unit tests: a directory of three nodes
 * signed by a generated coordinator key, and a hand-made exchange log.
 */
export const HUIZHOU = '441300';
export const YIBIN = '511500';
export const SHENZHEN = '440300';
export const PREFIX = 'audit-test';
export const T0 = Date.UTC(2026, 0, 5, 8);
export const HOUR = 3600_000;

export const coordinator = generateNodeKeys();
export const keys: Record<string, NodeKeys> = {
  [HUIZHOU]: generateNodeKeys(),
  [YIBIN]: generateNodeKeys(),
  [SHENZHEN]: generateNodeKeys(),
};

export function directoryRecord(code: string, signer = coordinator): TopicRecord {
  const entry = signDirectoryEntry(
    {
      code,
      name: code,
      level: 'prefecture',
      status: 'active',
      keys: [{ ...exportPublicKeys(keys[code]), validFrom: T0 - HOUR }],
      suspensions: [],
      version: 1,
      issuedAt: T0 - 2 * HOUR,
    },
    signer.signing.privateKey,
  );
  return {
    topic: `${PREFIX}.directory`,
    partition: 0,
    offset: '0',
    timestamp: T0 - 2 * HOUR,
    key: Buffer.from(code),
    headers: [],
    value: Buffer.from(JSON.stringify(entry)),
  };
}

/**
 * A hand-made exchange log: each node numbers, chains and signs its streams
 * like the outbox does, and every record lands in the recipient's inbox at
 * the next broker time. Tests then alter the records as an attacker (or a
 * bug) would.
 */
export class HandLog {
  readonly records: TopicRecord[] = [];
  private readonly streams = new Map<string, { seq: number; hash: string | null }>();
  private readonly offsets = new Map<string, number>();
  clock = T0;

  envelope(
    from: string,
    to: string,
    type: string,
    payload: Record<string, unknown>,
    over: Partial<UnsignedEnvelope> = {},
  ): Envelope {
    const stream = this.streams.get(`${from}→${to}`) ?? { seq: 0, hash: null };
    const unsigned: UnsignedEnvelope = {
      id: uuidv7(),
      type,
      v: 1,
      from,
      to,
      agreementId: null,
      correlationId: null,
      causationId: null,
      seq: stream.seq + 1,
      prevHash: stream.hash,
      occurredAt: new Date(this.clock).toISOString(),
      payload,
      ...over,
    };
    const envelope = signEnvelope(unsigned, keys[from].signing.privateKey);
    this.streams.set(`${from}→${to}`, { seq: envelope.seq, hash: envelopeHash(envelope) });
    return envelope;
  }

  /** Appends the envelope to `inbox` (default: its addressee's) at the next broker time. */
  deliver(envelope: Envelope, inbox = envelope.to): TopicRecord {
    const topic = `${PREFIX}.inbox.${inbox}`;
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    this.clock += 1000;
    const record: TopicRecord = {
      topic,
      partition: 0,
      offset: String(offset),
      timestamp: this.clock,
      key: Buffer.from(envelope.from),
      headers: [
        { name: 'type', value: Buffer.from(envelope.type) },
        { name: 'id', value: Buffer.from(envelope.id) },
      ],
      value: Buffer.from(JSON.stringify(envelope)),
    };
    this.records.push(record);
    return record;
  }

  notice(from = HUIZHOU, to = YIBIN): TopicRecord {
    return this.deliver(
      this.envelope(from, to, 'notice', { category: 'policy', domain: 'publicity', pii: 'x.y.z' }),
    );
  }

  /** The recipient's signed answer to a record, stating its broker time. */
  answerTo(
    record: TopicRecord,
    type: 'receipt' | 'rejection' = 'receipt',
    over: Record<string, unknown> = {},
    envelopeOver: Partial<UnsignedEnvelope> = {},
  ): Envelope {
    const answered = JSON.parse((record.value as Buffer).toString()) as Envelope;
    const answerer = record.topic.split('.').pop() as string;
    return this.envelope(
      answerer,
      answered.from,
      type,
      {
        messageId: answered.id,
        messageHash: envelopeHash(answered),
        brokerTime: record.timestamp,
        ...(type === 'rejection' ? { reason: 'SCHEMA_INVALID', detail: 'test' } : {}),
        ...over,
      },
      { causationId: answered.id, ...envelopeOver },
    );
  }

  receipt(record: TopicRecord): TopicRecord {
    return this.deliver(this.answerTo(record));
  }
}

export const ALL_MEMBERS = [HUIZHOU, YIBIN, SHENZHEN];

export const idOf = (record: TopicRecord) => (JSON.parse(String(record.value)) as Envelope).id;

/** Three receipted notices Huizhou → Yibin. */
export function cleanLog(): { log: HandLog; notices: TopicRecord[]; receipts: TopicRecord[] } {
  const log = new HandLog();
  const notices = [log.notice(), log.notice(), log.notice()];
  const receipts = notices.map((n) => log.receipt(n));
  return { log, notices, receipts };
}

/** Every record of every inbox, each partition in offset order, as a source hands them over. */
export function inLogOrder(records: TopicRecord[]): TopicRecord[] {
  return [...records].sort((a, b) =>
    a.topic === b.topic ? Number(a.offset) - Number(b.offset) : a.topic < b.topic ? -1 : 1,
  );
}
