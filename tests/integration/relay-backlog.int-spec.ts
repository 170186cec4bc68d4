/**
 * The outbox relay under backlog: more envelopes than Kafka takes in one
 * request go out in order, each once; and a partner that cannot take
 * messages holds back only its own stream.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from 'kafkajs';
import { IsNull, Not } from 'typeorm';
import { Envelope, inboxTopic, sentJournalTopic } from '@yipanqi/contracts';
import { generateNodeKeys } from '@yipanqi/crypto';
import {
  EXCHANGE_ENTITIES,
  EXCHANGE_MIGRATIONS,
  InboxMessage,
  Outbox,
  OutboxMessage,
  OutboxRelay,
  SoleRelay,
} from '@yipanqi/exchange';
import {
  createMissingTopics,
  inboxTopicConfig,
  sentJournalTopicConfig,
} from '@yipanqi/kafka-access';
import { openDatabase, Transactions } from '@yipanqi/persistence';
import { api, draftAgreement, establishAgreement } from '../support/agreements';
import { eventually, startTestNetwork } from '../support/city-nodes';
import { testKafka, uniqueName } from '../support/kafka';

const HUIZHOU = '441300';
const SHENZHEN = '440300';
const YIBIN = '511500';

describe('outbox relay backlog', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = testKafka('relay-backlog').admin();
    await admin.connect();
  });
  afterAll(() => admin.disconnect());

  it('publishes a backlog larger than one Kafka request in stream order, each envelope once', async () => {
    const prefix = uniqueName('backlog').replace(/\./g, '-');
    const db = await openDatabase({
      url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'yipanqi-backlog-')), 'node.db')}`,
      entities: EXCHANGE_ENTITIES,
      migrations: EXCHANGE_MIGRATIONS,
    });
    const transactions = new Transactions(db);
    const outbox = new Outbox(HUIZHOU, generateNodeKeys().signing.privateKey);
    // 1,200 envelopes of ≈ 1.3 KB: ≈ 1.6 MB, more than Kafka's 1 MiB per request
    const count = 1200;
    await transactions.run((m) =>
      outbox.enqueueAll(
        m,
        Array.from({ length: count }, (_, i) => ({
          to: YIBIN,
          type: 'notice',
          payload: {
            category: 'policy',
            domain: 'publicity',
            pii: `h.k.iv.${String(i).padEnd(1090, 'x')}.tag`,
          },
        })),
      ),
    );
    await createMissingTopics(admin, [
      inboxTopicConfig(YIBIN, prefix),
      sentJournalTopicConfig(HUIZHOU, prefix),
    ]);
    const errors: Error[] = [];
    const relay = new OutboxRelay({
      me: HUIZHOU,
      newProducer: () =>
        testKafka('relay-backlog-producer').producer({ idempotent: true, maxInFlightRequests: 1 }),
      transactions,
      leadership: new SoleRelay(),
      onError: (err) => errors.push(err),
      topicPrefix: prefix,
    });
    let drains = 0;
    let published = 0;
    for (let sent = await relay.drainOnce(); sent > 0; sent = await relay.drainOnce()) {
      drains++;
      published += sent;
    }
    await relay.stop();
    expect(errors).toEqual([]);
    expect(published).toBe(count);
    expect(drains).toBeGreaterThan(1);
    expect(await db.getRepository(OutboxMessage).countBy({ sentAt: Not(IsNull()) })).toBe(count);
    await db.destroy();

    const seqs: number[] = [];
    const consumer = testKafka('relay-backlog-reader').consumer({ groupId: uniqueName('reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: inboxTopic(YIBIN, prefix), fromBeginning: true });
    await consumer.run({
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
      eachMessage: async ({ message }) => {
        seqs.push((JSON.parse(String(message.value)) as Envelope).seq);
      },
    });
    await eventually(() => seqs.length >= count, 60000, 'every record on the topic');
    await consumer.disconnect();
    expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });

  it('keeps publishing to other partners while one cannot take messages', async () => {
    // Shenzhen is in the network but its inbox topic is gone (the operator deleted it)
    const net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN, SHENZHEN]);
    try {
      await admin.deleteTopics({ topics: [inboxTopic(SHENZHEN, net.topicPrefix)] });
      await eventually(
        async () => !(await admin.listTopics()).includes(inboxTopic(SHENZHEN, net.topicPrefix)),
        30000,
        "Shenzhen's inbox deleted",
      );
      const [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
      const agreementId = await establishAgreement(huizhou, yibin, YIBIN);
      const toShenzhen = await draftAgreement(huizhou, SHENZHEN);
      await api(huizhou, 'POST', `/agreements/${toShenzhen.id}/propose`);

      const sent: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await api<{ id: string }>(huizhou, 'POST', '/notices', {
          to: YIBIN,
          category: 'policy',
          domain: 'publicity',
          title: `通报 ${i}`,
          text: '内容',
          agreementId,
        });
        sent.push(res.body.id);
      }
      await eventually(
        async () =>
          (await yibin.db.getRepository(InboxMessage).countBy({ type: 'notice' })) === sent.length,
        30000,
        'the notices to Yibin',
      );
      const pending = await huizhou.db
        .getRepository(OutboxMessage)
        .find({ where: { peer: SHENZHEN } });
      expect(pending.filter((p) => p.sentAt === null).map((p) => p.type)).toEqual([
        'agreement.proposed',
      ]);

      // once the provisioning has made Shenzhen's inbox again, the proposal goes out
      await net.coordinator.provisioner.provisionNow();
      await eventually(
        async () =>
          (await huizhou.db.getRepository(OutboxMessage).findOneByOrFail({ peer: SHENZHEN }))
            .sentAt !== null,
        30000,
        'the proposal to Shenzhen published',
      );
      // retried every second while Shenzhen's inbox was gone, journaled once
      const journal = sentJournalTopic(HUIZHOU, net.topicPrefix);
      const [{ high }] = await admin.fetchTopicOffsets(journal);
      const ids: string[] = [];
      const reader = testKafka('journal-reader').consumer({ groupId: uniqueName('journal') });
      await reader.connect();
      await reader.subscribe({ topic: journal, fromBeginning: true });
      let last = -1;
      await reader.run({
        // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
        eachMessage: async ({ message }) => {
          ids.push(String(message.headers?.id));
          last = Number(message.offset);
        },
      });
      await eventually(() => last >= Number(high) - 1, 30000, "Huizhou's sent journal read");
      await reader.disconnect();
      const proposal = pending.find((p) => p.type === 'agreement.proposed');
      expect(ids.filter((id) => id === proposal?.id)).toHaveLength(1);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await net.stop();
    }
  });
});
