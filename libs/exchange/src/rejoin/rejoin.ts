import { Admin, Kafka } from 'kafkajs';
import { In } from 'typeorm';
import { Envelope, inboxTopic, sentJournalTopic } from '@yipanqi/contracts';
import { Transactions } from '@yipanqi/persistence';
import {
  GivenAnswer,
  OutboxMessage,
  StreamState,
  TopicPosition,
} from '../entities/exchange.entities';
import { hasValidSignature } from '../envelope-signing';
import { PeerKeys } from '../peer-keys';
import { cut } from '../record-evidence';
import { JournalRecord, OutgoingStreamEnd, planJournalRecovery } from './journal-recovery';
import { advanceTopicPosition } from './topic-position';

/*
 * How a node restored from an older backup rejoins its streams by itself
 * (docs/operations.md "Backup and restore"): the database, not the consumer
 * group, says how far the inbox was read, so the inbox is read again from
 * there; and the node's sent journal gives back what it sent since the copy,
 * so its outgoing streams go on where its partners stand, and the answers it
 * gave stand when it reads those messages again.
 */

export interface RejoinContext {
  me: string;
  topicPrefix: string;
  kafka: Kafka;
  admin: Admin;
  transactions: Transactions;
  peers: PeerKeys;
  /** how long a crashed instance of this node may still hold its consumer group */
  sessionTimeoutMs: number;
  log: (message: string) => void;
}

/** how long reading the journal's tail may take before the node gives up starting */
const JOURNAL_READ_MS = 120_000;

/**
 * Puts back into the outbox every envelope of the sent journal that the
 * database lacks, as not yet sent: the relay publishes them again and the
 * partner drops the copies it holds. Returns how many came back.
 */
export async function recoverFromSentJournal(ctx: RejoinContext): Promise<number> {
  const topic = sentJournalTopic(ctx.me, ctx.topicPrefix);
  const position = await ctx.transactions.run((m) =>
    m.findOne(TopicPosition, { where: { topic, partition: 0 } }),
  );
  const from = position?.nextOffset ?? 0;
  const [end] = await ctx.admin.fetchTopicOffsets(topic);
  const to = Number(end?.high ?? 0);
  if (to <= from) return 0;
  const records = await readJournal(ctx, topic, from, to);
  // the directory must know this node's keys up to the last record's time
  await ctx.peers.upToDate(Math.max(...records.map((r) => Number(r.timestamp))));
  const recovered = await ctx.transactions.run(async (m) => {
    const ids = records.flatMap((r) => {
      const id = r.value && idOf(r.value);
      return id ? [id] : [];
    });
    const known = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await m.find(OutboxMessage, {
        select: { id: true },
        where: { id: In(ids.slice(i, i + 500)) },
      });
      for (const row of rows) known.add(row.id);
    }
    const ends = new Map<string, OutgoingStreamEnd>(
      (await m.find(StreamState, { where: { direction: 'out' } })).map((s) => [
        s.peer,
        { peer: s.peer, lastSeq: s.lastSeq, lastHash: s.lastHash },
      ]),
    );
    const plan = planJournalRecovery({
      me: ctx.me,
      records,
      known,
      ends,
      signedByMe: (envelope: Envelope, at: number) => {
        const key = ctx.peers.signingKeyAt(ctx.me, at);
        return key !== undefined && hasValidSignature(envelope, key);
      },
    });
    for (let i = 0; i < plan.recovered.length; i += 400) {
      await m.insert(
        OutboxMessage,
        plan.recovered.slice(i, i + 400).map((r) => ({
          id: r.envelope.id,
          peer: r.envelope.to,
          seq: r.envelope.seq,
          type: r.envelope.type,
          hash: r.hash,
          envelope: r.raw,
          createdAt: r.journaledAt,
          // published again: the partner drops what it holds, takes what it missed
          sentAt: null,
          brokerTime: null,
          answer: null,
          answerId: null,
          answerReason: null,
        })),
      );
    }
    if (plan.streams.length > 0) {
      await m.upsert(
        StreamState,
        plan.streams.map((s) => ({ ...s, direction: 'out' as const })),
        ['peer', 'direction'],
      );
    }
    for (let i = 0; i < plan.answers.length; i += 400) {
      await m
        .createQueryBuilder()
        .insert()
        .into(GivenAnswer)
        .values(plan.answers.slice(i, i + 400))
        .orIgnore()
        .execute();
    }
    await advanceTopicPosition(m, topic, 0, to);
    return plan;
  });
  if (recovered.recovered.length > 0) {
    const streams = recovered.streams.map((s) => `${s.peer} at seq ${s.lastSeq}`).join(', ');
    ctx.log(
      `sent journal: ${recovered.recovered.length} envelope(s) sent after this database's copy are back in the outbox; streams to ${streams}`,
    );
  }
  return recovered.recovered.length;
}

/** The id a journal record names, for the lookup of known ones (planJournalRecovery checks the rest). */
function idOf(value: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString());
    return typeof parsed === 'object' && parsed !== null && 'id' in parsed
      ? String(parsed.id)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The journal's records at offsets [from, to), read with the node's own journal group. */
async function readJournal(
  ctx: RejoinContext,
  topic: string,
  from: number,
  to: number,
): Promise<JournalRecord[]> {
  const consumer = ctx.kafka.consumer({
    groupId: `${ctx.topicPrefix}.node.${ctx.me}.journal`,
    sessionTimeout: Math.max(6000, Math.min(ctx.sessionTimeoutMs, 30000)),
  });
  const records: JournalRecord[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `the sent journal ${topic} was not read to ${to} within ${JOURNAL_READ_MS} ms`,
            ),
          ),
        JOURNAL_READ_MS,
      );
      consumer.on(consumer.events.CRASH, (event) => {
        clearTimeout(timer);
        reject(new Error(`reading the sent journal: ${cut(event.payload.error.message, 300)}`));
      });
      void consumer
        .run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            for (const m of batch.messages) {
              const offset = Number(m.offset);
              if (offset >= from && offset < to) {
                records.push({ offset: m.offset, value: m.value, timestamp: m.timestamp });
              }
              if (offset >= to - 1) {
                clearTimeout(timer);
                resolve();
                break;
              }
            }
            return Promise.resolve();
          },
        })
        .then(() => consumer.seek({ topic, partition: 0, offset: String(from) }))
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
}

/**
 * Makes the inbox consumer group read again from where the database stands,
 * when it committed further (a restored database). The first time, the
 * database takes the group's positions. A crashed instance of this node may
 * still hold the group until its session times out: tried until then.
 */
export async function rewindInboxToDatabase(ctx: RejoinContext): Promise<void> {
  const topic = inboxTopic(ctx.me, ctx.topicPrefix);
  const groupId = `${ctx.topicPrefix}.node.${ctx.me}`;
  const [committed] = await ctx.admin.fetchOffsets({ groupId, topics: [topic] });
  const partitions = committed?.partitions ?? [];
  const rows = await ctx.transactions.run((m) => m.find(TopicPosition, { where: { topic } }));
  if (rows.length === 0) {
    await ctx.transactions.run(async (m) => {
      for (const p of partitions) {
        await advanceTopicPosition(m, topic, p.partition, Math.max(0, Number(p.offset)));
      }
    });
    return;
  }
  const kept = new Map(rows.map((r) => [r.partition, r.nextOffset]));
  const behind = partitions
    .filter((p) => Number(p.offset) > (kept.get(p.partition) ?? 0))
    .map((p) => ({ partition: p.partition, offset: String(kept.get(p.partition) ?? 0) }));
  if (behind.length === 0) return;
  ctx.log(
    `inbox: the database has read less than the consumer group committed (restored from a backup); reading again from ${behind
      .map((p) => `partition ${p.partition} offset ${p.offset}`)
      .join(', ')}`,
  );
  const deadline = Date.now() + ctx.sessionTimeoutMs + 30_000;
  for (;;) {
    try {
      await ctx.admin.setOffsets({ groupId, topic, partitions: behind });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(
          `could not move the inbox consumer group back to the database's positions: ${(err as Error).message}`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
