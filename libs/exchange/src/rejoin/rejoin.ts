import { randomUUID } from 'node:crypto';
import { Admin, Kafka } from 'kafkajs';
import { In } from 'typeorm';
import { Envelope, sentJournalTopic } from '@yipanqi/contracts';
import { Transactions } from '@yipanqi/persistence';
import {
  GivenReply,
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
 * (docs/operations.md "Backup and restore"): the node's sent journal gives
 * back what it sent since the copy, so its outgoing streams go on where its
 * partners stand, and the replies it gave stand when it reads those messages
 * again (given-replies.ts). That it reads them again is the inbox consumer's
 * part: the database, not the consumer group, says how far the inbox was
 * read (ExchangeNode.runConsumer).
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

/** a journal read that gets no record for this long fails the start */
const JOURNAL_IDLE_MS = 60_000;
/** records planned and written per transaction */
const JOURNAL_PAGE = 2000;

/**
 * Puts back into the outbox every envelope of the sent journal that the
 * database lacks, as not yet sent: the relay publishes them again and the
 * partner drops the copies it holds. Page by page, each page with the
 * journal position in its transaction. Returns how many came back.
 */
export async function recoverFromSentJournal(
  ctx: RejoinContext,
  onReplies: () => void = () => undefined,
): Promise<number> {
  const topic = sentJournalTopic(ctx.me, ctx.topicPrefix);
  const position = await ctx.transactions.run((m) =>
    m.findOne(TopicPosition, { where: { topic, partition: 0 } }),
  );
  const from = position?.nextOffset ?? 0;
  const [end] = await ctx.admin.fetchTopicOffsets(topic);
  const to = Number(end?.high ?? 0);
  if (to <= from) return 0;
  let recovered = 0;
  const ends = new Map<string, number>();
  await readJournal(ctx, topic, from, to, async (records, next) => {
    const page = await recoverPage(ctx, topic, records, next);
    recovered += page.recovered.length;
    for (const s of page.streams) ends.set(s.peer, s.lastSeq);
    if (page.replies.length > 0) onReplies();
  });
  if (recovered > 0) {
    const streams = [...ends].map(([peer, seq]) => `${peer} at seq ${seq}`).join(', ');
    ctx.log(
      `sent journal: ${recovered} envelope(s) sent after this database's copy are back in the outbox; streams to ${streams}`,
    );
  }
  return recovered;
}

/** One page of journal records, planned and written in one transaction with the position after it. */
async function recoverPage(
  ctx: RejoinContext,
  topic: string,
  records: JournalRecord[],
  next: number,
): Promise<ReturnType<typeof planJournalRecovery>> {
  // the directory must know this node's keys up to the last record's time
  await ctx.peers.upToDate(records.reduce((max, r) => Math.max(max, Number(r.timestamp)), 0));
  return ctx.transactions.run(async (m) => {
    const named = records.flatMap((r) => {
      const head = r.value ? headOf(r.value) : undefined;
      return head ? [head] : [];
    });
    const inOutbox = async (ids: string[]) => {
      const found = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await m.find(OutboxMessage, {
          select: { id: true },
          where: { id: In(ids.slice(i, i + 500)) },
        });
        for (const row of rows) found.add(row.id);
      }
      return found;
    };
    const known = await inOutbox(named.map((h) => h.id));
    const ownCausations = await inOutbox(
      named.flatMap((h) => (h.causationId ? [h.causationId] : [])),
    );
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
      ownCausations,
      ends,
      // the key of when it was journaled, or of when it was signed (a rotation in between)
      signedByMe: (envelope: Envelope, at: number) =>
        [at, Date.parse(envelope.occurredAt)].some((t) => {
          const key = Number.isFinite(t) ? ctx.peers.signingKeyAt(ctx.me, t) : undefined;
          return key !== undefined && hasValidSignature(envelope, key);
        }),
    });
    for (let i = 0; i < plan.recovered.length; i += 400) {
      await m
        .createQueryBuilder()
        .insert()
        .into(OutboxMessage)
        .values(
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
        )
        // another replica starting at the same moment may have put them back already
        .orIgnore()
        .execute();
    }
    if (plan.streams.length > 0) {
      await m.upsert(
        StreamState,
        plan.streams.map((s) => ({ ...s, direction: 'out' as const })),
        ['peer', 'direction'],
      );
    }
    for (let i = 0; i < plan.replies.length; i += 400) {
      await m
        .createQueryBuilder()
        .insert()
        .into(GivenReply)
        .values(plan.replies.slice(i, i + 400))
        .orIgnore()
        .execute();
    }
    await advanceTopicPosition(m, topic, 0, next);
    return plan;
  });
}

/** The id and causation a journal record names, for the lookups (planJournalRecovery checks the rest). */
function headOf(value: Buffer): { id: string; causationId: string | null } | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString());
    if (typeof parsed !== 'object' || parsed === null || !('id' in parsed)) return undefined;
    const causation = 'causationId' in parsed ? parsed.causationId : null;
    return {
      id: String(parsed.id),
      causationId: typeof causation === 'string' ? causation : null,
    };
  } catch {
    return undefined;
  }
}

/**
 * Hands the journal's records at offsets [from, to) to `page`, a page at a
 * time with the offset after it, read in a consumer group of this process
 * alone (it commits nothing; replicas starting together do not wait on each other).
 */
async function readJournal(
  ctx: RejoinContext,
  topic: string,
  from: number,
  to: number,
  page: (records: JournalRecord[], next: number) => Promise<void>,
): Promise<void> {
  const consumer = ctx.kafka.consumer({
    groupId: `${ctx.topicPrefix}.node.${ctx.me}.journal.${randomUUID()}`,
    sessionTimeout: Math.max(6000, Math.min(ctx.sessionTimeoutMs, 30000)),
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      const idle = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            fail(new Error(`the sent journal ${topic} gave no record for ${JOURNAL_IDLE_MS} ms`)),
          JOURNAL_IDLE_MS,
        );
      };
      idle();
      consumer.on(consumer.events.CRASH, (event) =>
        fail(new Error(`reading the sent journal: ${cut(event.payload.error.message, 300)}`)),
      );
      let pending: JournalRecord[] = [];
      let done = false;
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async (payload) => {
            const { batch } = payload;
            if (done) return;
            idle();
            for (const m of batch.messages) {
              const offset = Number(m.offset);
              if (offset < from) continue;
              if (offset < to) {
                pending.push({ offset: m.offset, value: m.value, timestamp: m.timestamp });
              }
              const last = offset >= to - 1;
              if (pending.length >= JOURNAL_PAGE || last) {
                await page(pending, Math.min(offset + 1, to));
                pending = [];
                await payload.heartbeat();
              }
              if (last) {
                done = true;
                clearTimeout(timer);
                resolve();
                return;
              }
            }
          },
        })
        .then(() => consumer.seek({ topic, partition: 0, offset: String(from) }))
        .catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
