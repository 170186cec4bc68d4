/**
 * Bad input on the exchange: every kind of bad record gets its specific signed
 * rejection (or the dead-letter topic when it cannot even be parsed), changes
 * nothing, and the next valid message of the stream still applies.
 */
import { Producer } from 'kafkajs';
import {
  AgreementCountersignedPayloadV1,
  AgreementOfferPayloadV1,
  deadLetterTopic,
  Envelope,
  inboxTopic,
} from '@yipanqi/contracts';
import { encryptPii, generateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import {
  DeadLetter,
  DropCount,
  DropReason,
  hasValidSignature,
  inboxTopicConfig,
  InboxMessage,
  RejectionRecord,
} from '@yipanqi/exchange';
import { signAgreement } from '../../apps/city-node/src/agreements/agreement-rules';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { agreementBecomes, api, draftAgreement } from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';
import { HandSender } from '../support/hand-sender';
import { testKafka, uniqueName } from '../support/kafka';

const HUIZHOU = '441300'; // in the directory, driven by this test by hand
const YIBIN = '511500'; // a real city node

describe('bad records on the exchange', () => {
  let net: TestNetwork;
  let producer: Producer;
  let sender: HandSender;
  let validNotices = 0;
  const rejectionsOnTopic: Envelope[] = [];
  const offersOnTopic: Envelope[] = [];

  const notice = async (recipientKeys: NodeKeys, extra: Record<string, unknown> = {}) => ({
    category: 'policy',
    domain: 'publicity',
    pii: await encryptPii({ title: '通报', text: '内容' }, recipientKeys.encryption.publicKey),
    ...extra,
  });

  const produce = async (value: string | Buffer, key = HUIZHOU) => {
    await producer.send({ topic: inboxTopic(YIBIN, net.topicPrefix), messages: [{ key, value }] });
  };

  const sendValidNotice = async () => {
    const envelope = sender.advance(
      sender.sign(sender.draft('notice', await notice(net.keys[YIBIN]))),
    );
    validNotices++;
    await produce(JSON.stringify(envelope));
    return envelope;
  };

  const yibin = () => net.nodes[YIBIN];

  beforeAll(async () => {
    net = await startTestNetwork([YIBIN], [YIBIN, HUIZHOU]);
    const kafka = testKafka('rejections-test');
    const admin = kafka.admin();
    await admin.connect();
    // the hand-driven sender's inbox, so that Yibin's signed rejections can be read back
    await admin.createTopics({
      topics: [inboxTopicConfig(HUIZHOU, net.topicPrefix)],
      waitForLeaders: true,
    });
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    sender = new HandSender(HUIZHOU, YIBIN, net.keys[HUIZHOU]);

    const consumer = kafka.consumer({ groupId: uniqueName('rejections-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: inboxTopic(HUIZHOU, net.topicPrefix), fromBeginning: true });
    await consumer.run({
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
      eachMessage: async ({ message }) => {
        const envelope = JSON.parse(String(message.value)) as Envelope;
        if (envelope.type === 'rejection') rejectionsOnTopic.push(envelope);
        if (envelope.type === 'agreement.proposed') offersOnTopic.push(envelope);
      },
    });
    afterAllConsumers.push(() => consumer.disconnect());

    // Yibin's staff propose an agreement; the hand-driven Huizhou countersigns it
    const draft = await draftAgreement(yibin(), HUIZHOU, { role: 'outflow' });
    await api(yibin(), 'POST', `/agreements/${draft.id}/propose`);
    await eventually(() => offersOnTopic.length === 1, 30000, 'the proposal');
    const offer = offersOnTopic[0].payload as unknown as AgreementOfferPayloadV1;
    const { agreementId } = offer.terms;
    sender.agreementId = agreementId;
    const countersignature: AgreementCountersignedPayloadV1 = {
      agreementId,
      version: 1,
      hash: offer.hash,
      signature: signAgreement(agreementId, 1, offer.hash, net.keys[HUIZHOU].signing.privateKey),
    };
    await produce(
      JSON.stringify(
        sender.advance(
          sender.sign(sender.draft('agreement.countersigned', { ...countersignature })),
        ),
      ),
    );
    await agreementBecomes(yibin(), agreementId, (a) => a.status === 'active', 'the agreement');
  });

  const afterAllConsumers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of afterAllConsumers) await stop();
    await producer.disconnect();
    await net.stop();
  });

  const rejected = async (reason: string) =>
    yibin()
      .db.getRepository(RejectionRecord)
      .find({ where: { direction: 'sent', reason } });

  it('applies a first valid notice', async () => {
    await sendValidNotice();
    await eventually(async () => (await yibin().db.getRepository(Notice).count()) === 1);
  });

  it('refuses each bad record with its own reason and keeps applying valid ones', async () => {
    // the first two cannot be attributed to their claimed sender: counted and dropped, never answered
    const cases: { reason: string; produce: () => Promise<void>; advancesStream: boolean }[] = [
      {
        reason: 'BAD_SIGNATURE',
        advancesStream: false,
        produce: () =>
          produce(
            JSON.stringify(
              sender.sign(sender.draft('notice', {}), generateNodeKeys().signing.privateKey),
            ),
          ),
      },
      {
        reason: 'UNKNOWN_SENDER',
        advancesStream: false,
        produce: async () => {
          const stranger = new HandSender('350200', YIBIN, generateNodeKeys());
          await produce(
            JSON.stringify(stranger.sign(stranger.draft('notice', await notice(net.keys[YIBIN])))),
            '350200',
          );
        },
      },
      {
        reason: 'DUPLICATE',
        advancesStream: false,
        produce: async () => {
          const applied = await yibin()
            .db.getRepository(InboxMessage)
            .findOneByOrFail({ from: HUIZHOU, seq: 1 });
          await produce(
            JSON.stringify(
              sender.sign(
                sender.draft('notice', await notice(net.keys[YIBIN]), { id: applied.id }),
              ),
            ),
          );
        },
      },
      {
        reason: 'SEQ_GAP',
        advancesStream: false,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.sign(
                sender.draft('notice', await notice(net.keys[YIBIN]), { seq: sender.seq + 2 }),
              ),
            ),
          ),
      },
      {
        reason: 'CHAIN_BROKEN',
        advancesStream: false,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.sign(
                sender.draft('notice', await notice(net.keys[YIBIN]), { prevHash: 'A'.repeat(43) }),
              ),
            ),
          ),
      },
      {
        reason: 'SCHEMA_INVALID',
        advancesStream: true,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.advance(
                sender.sign(
                  sender.draft('notice', await notice(net.keys[YIBIN], { idNumber: 'x' })),
                ),
              ),
            ),
          ),
      },
      {
        reason: 'SCHEMA_INVALID',
        advancesStream: true,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.advance(
                sender.sign(
                  sender.draft('notice', await notice(net.keys[YIBIN], { category: 42 })),
                ),
              ),
            ),
          ),
      },
      {
        reason: 'UNSUPPORTED_VERSION',
        advancesStream: true,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.advance(
                sender.sign(sender.draft('notice', await notice(net.keys[YIBIN]), { v: 2 })),
              ),
            ),
          ),
      },
      {
        reason: 'DECRYPT_FAILED',
        advancesStream: true,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.advance(sender.sign(sender.draft('notice', await notice(generateNodeKeys())))),
            ),
          ),
      },
      {
        reason: 'SCHEMA_INVALID',
        advancesStream: true,
        produce: async () =>
          produce(
            JSON.stringify(
              sender.advance(
                sender.sign(
                  sender.draft(
                    'notice',
                    await notice(net.keys[YIBIN], { pii: 'a.b.c.d.' + 'e'.repeat(70000) }),
                  ),
                ),
              ),
            ),
          ),
      },
    ];

    const unanswered = new Set(['BAD_SIGNATURE', 'UNKNOWN_SENDER']);
    const outcomes = async (reason: string) =>
      unanswered.has(reason)
        ? ((
            await yibin()
              .db.getRepository(DropCount)
              .findOneBy({ reason: reason as DropReason })
          )?.count ?? 0)
        : (await rejected(reason)).length;
    for (const c of cases) {
      const before = await outcomes(c.reason);
      await c.produce();
      await eventually(
        async () => (await outcomes(c.reason)) === before + 1,
        30000,
        `a ${c.reason} outcome`,
      );
      await sendValidNotice();
      await eventually(
        async () => (await yibin().db.getRepository(Notice).count()) === validNotices,
        30000,
        `the valid notice after ${c.reason}`,
      );
    }

    const sizeRejection = (await rejected('SCHEMA_INVALID')).find((r) =>
      /limit 65536/.test(r.detail),
    );
    expect(sizeRejection?.detail).toMatch(/payload is \d+ bytes, limit 65536/);
    const unknownField = (await rejected('SCHEMA_INVALID')).find((r) => /idNumber/.test(r.detail));
    expect(unknownField?.detail).toMatch(/property idNumber should not exist/);

    // refused records never entered the stream; rejected payloads did (and were not applied)
    const inbox = await yibin()
      .db.getRepository(InboxMessage)
      .find({ where: { from: HUIZHOU }, order: { seq: 'ASC' } });
    expect(inbox.map((m) => m.seq)).toEqual(inbox.map((_, i) => i + 1));
    expect(inbox.filter((m) => m.outcome === 'rejected').map((m) => m.rejectionReason)).toEqual([
      'SCHEMA_INVALID',
      'SCHEMA_INVALID',
      'UNSUPPORTED_VERSION',
      'DECRYPT_FAILED',
      'SCHEMA_INVALID',
    ]);
    expect(inbox.filter((m) => m.outcome === 'applied' && m.type === 'notice')).toHaveLength(
      validNotices,
    );

    // rejections travel signed by Yibin; what cannot be attributed is never answered
    expect(await rejected('UNKNOWN_SENDER')).toEqual([]);
    expect(await rejected('BAD_SIGNATURE')).toEqual([]);
    await eventually(
      () => Promise.resolve(rejectionsOnTopic.length === cases.length - unanswered.size),
      30000,
      'signed rejections on the topic',
    );
    for (const r of rejectionsOnTopic) {
      expect(r.from).toBe(YIBIN);
      expect(hasValidSignature(r, net.keys[YIBIN].signing.publicKey)).toBe(true);
    }
    expect(rejectionsOnTopic.map((r) => r.payload.reason).sort()).toEqual(
      cases
        .map((c) => c.reason)
        .filter((r) => !unanswered.has(r))
        .sort(),
    );
  });

  it('sends what is not even JSON to the dead-letter topic and goes on', async () => {
    await produce(Buffer.from([0xff, 0x00, 0x7b]));
    await eventually(
      async () => (await yibin().db.getRepository(DeadLetter).count()) === 1,
      30000,
      'a dead letter',
    );
    const letter = await yibin().db.getRepository(DeadLetter).findOneByOrFail({});
    expect(letter.error).toMatch(/not JSON/);
    expect(Buffer.from(letter.head, 'base64')).toEqual(Buffer.from([0xff, 0x00, 0x7b]));
    expect(letter.size).toBe(3);

    const kafka = testKafka('dlq-reader');
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(deadLetterTopic(YIBIN, net.topicPrefix));
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1);

    await sendValidNotice();
    await eventually(
      async () => (await yibin().db.getRepository(Notice).count()) === validNotices,
      30000,
    );
  });
});
