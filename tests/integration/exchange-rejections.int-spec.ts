/**
 * Bad input on the exchange: every kind of bad record gets its specific signed
 * rejection (or the dead-letter topic when it cannot even be parsed), changes
 * nothing, and the next valid message of the stream still applies.
 */
import { deadLetterTopic } from '@yipanqi/contracts';
import { encryptPii, generateNodeKeys, NodeKeys } from '@yipanqi/crypto';
import {
  DeadLetter,
  DropCount,
  DropReason,
  hasValidSignature,
  InboxMessage,
  RejectionRecord,
} from '@yipanqi/exchange';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import { eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';
import { testKafka } from '../support/kafka';
import { HandPartner, startHandPartner } from '../support/hand-partner';
import { HandSender } from '../support/hand-sender';

const HUIZHOU = '441300'; // in the directory, driven by this test by hand
const YIBIN = '511500'; // a real city node

describe('bad records on the exchange', () => {
  let net: TestNetwork;
  let hand: HandPartner;
  let sender: HandSender;
  let validNotices = 0;
  /** the signed rejections Yibin sent the hand-driven Huizhou so far */
  const rejectionsOnTopic = () => hand.received.filter((e) => e.type === 'rejection');

  const notice = async (recipientKeys: NodeKeys, extra: Record<string, unknown> = {}) => ({
    category: 'policy',
    domain: 'publicity',
    pii: await encryptPii({ title: '通报', text: '内容' }, recipientKeys.encryption.publicKey),
    ...extra,
  });

  const produce = (value: string | Buffer, key = HUIZHOU) => hand.produce(value, key);

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
    // Yibin's staff propose an agreement; the hand-driven Huizhou countersigns it
    hand = await startHandPartner(net, HUIZHOU, yibin());
    sender = hand.sender;
  });

  afterAll(async () => {
    await hand?.stop();
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
      () => Promise.resolve(rejectionsOnTopic().length === cases.length - unanswered.size),
      30000,
      'signed rejections on the topic',
    );
    for (const r of rejectionsOnTopic()) {
      expect(r.from).toBe(YIBIN);
      expect(hasValidSignature(r, net.keys[YIBIN].signing.publicKey)).toBe(true);
    }
    expect(
      rejectionsOnTopic()
        .map((r) => r.payload.reason)
        .sort(),
    ).toEqual(
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
