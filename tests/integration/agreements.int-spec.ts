/**
 * Cooperation agreements between real city nodes over the real broker: the
 * whole lifecycle, crossing offers, decline, suspension, expiry, and scope
 * enforced on send and on receipt.
 */
import { v7 as uuidv7 } from 'uuid';
import { Envelope, inboxTopic } from '@yipanqi/contracts';
import { encryptPii } from '@yipanqi/crypto';
import {
  envelopeHash,
  InboxMessage,
  RejectionRecord,
  signEnvelope,
  StreamState,
} from '@yipanqi/exchange';
import {
  agreementAt,
  agreementBecomes,
  api,
  AgreementView,
  draftAgreement,
  establishAgreement,
} from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { testKafka } from '../support/kafka';

const HUIZHOU = '441300';
const SHENZHEN = '440300';
const YIBIN = '511500';

describe('agreements between city nodes', () => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let shenzhen: TestNode;
  let yibin: TestNode;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, SHENZHEN, YIBIN]);
    [huizhou, shenzhen, yibin] = [net.nodes[HUIZHOU], net.nodes[SHENZHEN], net.nodes[YIBIN]];
  });
  afterAll(() => net.stop());

  const notice = (to: string, domain = 'publicity', agreementId?: string) => ({
    to,
    category: 'policy',
    domain,
    title: '通报',
    text: '宣传教育活动安排',
    ...(agreementId ? { agreementId } : {}),
  });

  const sendNotice = (from: TestNode, body: Record<string, unknown>) =>
    api<{ id?: string; code?: string; detail?: string }>(from, 'POST', '/notices', body);

  const rejectionsAt = (node: TestNode, reason: string) =>
    node.db.getRepository(RejectionRecord).count({ where: { direction: 'sent', reason } });

  it('goes from draft to active on both sides, with both signatures verifiable', async () => {
    const draft = await draftAgreement(huizhou, YIBIN, {
      scope: ['publicity', 'information-exchange'],
    });
    expect(draft.status).toBe('draft');
    expect(await agreementAt(yibin, draft.id)).toBeUndefined();

    // no agreement in force yet: the flow is refused at send
    const early = await sendNotice(huizhou, notice(YIBIN));
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('NO_AGREEMENT');

    await api(huizhou, 'POST', `/agreements/${draft.id}/propose`);
    const received = await agreementBecomes(
      yibin,
      draft.id,
      (a) => a.status === 'received',
      'proposal',
    );
    expect(received.hash).toBe(draft.hash);

    // countersigning needs the hash staff read
    const wrong = await api(yibin, 'POST', `/agreements/${draft.id}/countersign`, {
      hash: 'A'.repeat(43),
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('HASH_MISMATCH');
    await api(yibin, 'POST', `/agreements/${draft.id}/countersign`, { hash: received.hash });
    await agreementBecomes(huizhou, draft.id, (a) => a.status === 'active', 'countersignature');

    for (const node of [huizhou, yibin]) {
      const check = await api<{
        hashMatchesText: boolean;
        signatures: { node: string; valid: boolean }[];
      }>(node, 'GET', `/agreements/${draft.id}/verification`);
      expect(check.body.hashMatchesText).toBe(true);
      expect(check.body.signatures.map((s) => [s.node, s.valid])).toEqual([
        [HUIZHOU, true],
        [YIBIN, true],
      ]);
    }

    const sent = await sendNotice(huizhou, notice(YIBIN));
    expect(sent.status).toBe(202);
    await eventually(
      async () =>
        (await yibin.db
          .getRepository(InboxMessage)
          .count({ where: { id: sent.body.id, outcome: 'applied' } })) === 1,
      30000,
      'the notice applied under the agreement',
    );
  });

  it('refuses a domain outside the scope at send, and rejects it at receive when forced', async () => {
    const id = await establishAgreement(shenzhen, yibin, YIBIN, { scope: ['publicity'] });
    const refused = await sendNotice(shenzhen, notice(YIBIN, 'fee-collection'));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('OUT_OF_SCOPE');
    const outbox = await shenzhen.db.query(
      `SELECT COUNT(*) AS n FROM exchange_outbox WHERE type = 'notice'`,
    );
    expect(Number((outbox as { n: number }[])[0].n)).toBe(0);

    // forced onto the topic, correctly signed and sequenced, as Shenzhen's next message
    const before = await rejectionsAt(yibin, 'OUT_OF_SCOPE');
    await forceOntoTopic(shenzhen, YIBIN, 'notice', id, {
      category: 'policy',
      domain: 'fee-collection',
      pii: await encryptPii({ title: 't', text: 'x' }, net.keys[YIBIN].encryption.publicKey),
    });
    await eventually(
      async () => (await rejectionsAt(yibin, 'OUT_OF_SCOPE')) === before + 1,
      30000,
      'OUT_OF_SCOPE',
    );

    // the stream went on: an in-scope notice still applies
    const next = await sendNotice(shenzhen, notice(YIBIN, 'publicity'));
    expect(next.status).toBe(202);
    await eventually(
      async () =>
        (await yibin.db
          .getRepository(InboxMessage)
          .count({ where: { id: next.body.id, outcome: 'applied' } })) === 1,
      30000,
      'the next notice',
    );
  });

  /**
   * Sends as `from` by hand, continuing its real outgoing stream to `to`: the
   * node's own outbox must not send to `to` meanwhile (the tests wait for it).
   */
  async function forceOntoTopic(
    from: TestNode,
    to: string,
    type: string,
    agreementId: string,
    payload: Record<string, unknown>,
  ): Promise<Envelope> {
    const stream = await from.db
      .getRepository(StreamState)
      .findOneByOrFail({ peer: to, direction: 'out' });
    const envelope = signEnvelope(
      {
        id: uuidv7(),
        type,
        v: 1,
        from: from.code,
        to,
        agreementId,
        correlationId: null,
        causationId: null,
        seq: stream.lastSeq + 1,
        prevHash: stream.lastHash,
        occurredAt: new Date().toISOString(),
        payload,
      },
      net.keys[from.code].signing.privateKey,
    );
    // keep the node's own stream state in step, as if its outbox had sent it
    await from.db
      .getRepository(StreamState)
      .update(
        { peer: to, direction: 'out' },
        { lastSeq: envelope.seq, lastHash: envelopeHash(envelope) },
      );
    const producer = testKafka('agreements-test').producer();
    await producer.connect();
    await producer.send({
      topic: inboxTopic(to, net.topicPrefix),
      messages: [{ key: from.code, value: JSON.stringify(envelope) }],
    });
    await producer.disconnect();
    return envelope;
  }

  it('declines a proposal on both sides', async () => {
    const draft = await draftAgreement(shenzhen, HUIZHOU, { scope: ['publicity'] });
    await api(shenzhen, 'POST', `/agreements/${draft.id}/propose`);
    const received = await agreementBecomes(
      huizhou,
      draft.id,
      (a) => a.status === 'received',
      'proposal',
    );
    const declined = await api<AgreementView>(huizhou, 'POST', `/agreements/${draft.id}/decline`, {
      hash: received.hash,
      comment: '范围需要再商量',
    });
    expect(declined.body.status).toBe('declined');
    await agreementBecomes(shenzhen, draft.id, (a) => a.status === 'declined', 'the decline');
    const again = await api(huizhou, 'POST', `/agreements/${draft.id}/countersign`, {
      hash: received.hash,
    });
    expect(again.status).toBe(409);
  });

  it('settles two proposals that cross: the earlier stands on both sides', async () => {
    const fromShenzhen = await draftAgreement(shenzhen, HUIZHOU, {
      role: 'outflow',
      scope: ['publicity'],
    });
    const fromHuizhou = await draftAgreement(huizhou, SHENZHEN, {
      role: 'inflow',
      scope: ['publicity'],
    });
    // both proposed before either has seen the other's
    await Promise.all([
      api(shenzhen, 'POST', `/agreements/${fromShenzhen.id}/propose`),
      api(huizhou, 'POST', `/agreements/${fromHuizhou.id}/propose`),
    ]);
    const settled = (a: AgreementView | undefined) =>
      a !== undefined && ['received', 'proposed', 'superseded'].includes(a.status);
    await eventually(
      async () =>
        settled(await agreementAt(huizhou, fromShenzhen.id)) &&
        settled(await agreementAt(shenzhen, fromHuizhou.id)),
      30000,
      'both proposals to arrive',
    );
    // the winner is the one whose proposing envelope has the smaller id (UUIDv7: earlier)
    const offerId = async (node: TestNode, id: string) =>
      (
        await node.db.query(
          `SELECT offer_message_id AS m FROM agreement_version WHERE agreement_id = ?`,
          [id],
        )
      )[0].m as string;
    const shenzhenOffer = await offerId(shenzhen, fromShenzhen.id);
    const huizhouOffer = await offerId(huizhou, fromHuizhou.id);
    const [winner, loser] =
      shenzhenOffer < huizhouOffer
        ? [fromShenzhen.id, fromHuizhou.id]
        : [fromHuizhou.id, fromShenzhen.id];
    const [winnerProposer, winnerPartner] =
      winner === fromShenzhen.id ? [shenzhen, huizhou] : [huizhou, shenzhen];

    const partnerView = await agreementBecomes(
      winnerPartner,
      winner,
      (a) => a.status === 'received',
      'winner received',
    );
    await agreementBecomes(
      winnerProposer,
      winner,
      (a) => a.status === 'proposed',
      'winner proposed',
    );
    await agreementBecomes(
      huizhou,
      loser,
      (a) => a.status === 'superseded',
      'loser superseded at Huizhou',
    );
    await agreementBecomes(
      shenzhen,
      loser,
      (a) => a.status === 'superseded',
      'loser superseded at Shenzhen',
    );

    // the winner can be countersigned and becomes the one agreement between them
    await api(winnerPartner, 'POST', `/agreements/${winner}/countersign`, {
      hash: partnerView.hash,
    });
    await agreementBecomes(winnerProposer, winner, (a) => a.status === 'active', 'winner active');
  });

  it('amends, settles crossing amendments, and keeps the history', async () => {
    const id = await establishAgreement(huizhou, shenzhen, SHENZHEN, { scope: ['publicity'] });
    // both sides offer version 2 at once
    await Promise.all([
      api(huizhou, 'POST', `/agreements/${id}/amendments`, {
        scope: ['publicity', 'maternal-care'],
      }),
      api(shenzhen, 'POST', `/agreements/${id}/amendments`, {
        scope: ['publicity', 'contraception'],
      }),
    ]);
    const oneOffered = (a: AgreementView) =>
      a.versions.filter((v) => v.version === 2 && v.state === 'offered').length === 1 &&
      a.versions.filter((v) => v.version === 2 && v.state === 'superseded').length === 1;
    const atHuizhou = await agreementBecomes(
      huizhou,
      id,
      oneOffered,
      'crossing settled at Huizhou',
    );
    const atShenzhen = await agreementBecomes(
      shenzhen,
      id,
      oneOffered,
      'crossing settled at Shenzhen',
    );
    const standing = atHuizhou.versions.find((v) => v.version === 2 && v.state === 'offered');
    expect(atShenzhen.versions.find((v) => v.version === 2 && v.state === 'offered')?.hash).toBe(
      standing?.hash,
    );

    // the side that did not propose the standing amendment countersigns it
    const [signer, other] =
      standing?.proposer === HUIZHOU ? [shenzhen, huizhou] : [huizhou, shenzhen];
    const done = await api<AgreementView>(signer, 'POST', `/agreements/${id}/countersign`, {
      hash: standing?.hash,
    });
    expect(done.body.version).toBe(2);
    const after = await agreementBecomes(other, id, (a) => a.version === 2, 'version 2 in force');
    expect(after.status).toBe('active');
    expect(after.versions.map((v) => [v.version, v.state]).sort()).toEqual(
      [
        [1, 'replaced'],
        [2, 'in-force'],
        [2, 'superseded'],
      ].sort(),
    );
  });

  it('suspension blocks flows but not receipts; resume lets them through again', async () => {
    const id = await establishAgreement(yibin, huizhou, HUIZHOU, {
      role: 'outflow',
      scope: ['publicity'],
    });
    // a notice in flight gets its receipt even though the agreement is suspended meanwhile
    const inFlight = await sendNotice(yibin, notice(HUIZHOU, 'publicity', id));
    expect(inFlight.status).toBe(202);
    await api(yibin, 'POST', `/agreements/${id}/suspend`, { reason: '系统升级' });
    await agreementBecomes(huizhou, id, (a) => a.status === 'suspended', 'suspension at Huizhou');
    await eventually(
      async () =>
        (
          await yibin.db.query(`SELECT answer FROM exchange_outbox WHERE id = ?`, [
            inFlight.body.id,
          ])
        )[0]?.answer !== null,
      30000,
      'the answer to the notice in flight',
    );

    const blocked = await sendNotice(huizhou, notice(YIBIN, 'publicity', id));
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('AGREEMENT_INACTIVE');

    await api(huizhou, 'POST', `/agreements/${id}/resume`, { reason: '升级完成' });
    await agreementBecomes(yibin, id, (a) => a.status === 'active', 'resumed at Yibin');
    const through = await sendNotice(huizhou, notice(YIBIN, 'publicity', id));
    expect(through.status).toBe(202);

    await api(huizhou, 'POST', `/agreements/${id}/terminate`, { reason: '协议到期前终止' });
    await agreementBecomes(yibin, id, (a) => a.status === 'terminated', 'terminated at Yibin');
    const resume = await api(yibin, 'POST', `/agreements/${id}/resume`, { reason: 'x' });
    expect(resume.status).toBe(409);
  });

  it('expires at the end of its term', async () => {
    const termEnd = new Date(Date.now() + 8000).toISOString();
    const id = await establishAgreement(shenzhen, yibin, YIBIN, {
      scope: ['maternal-care'],
      termEnd,
    });
    expect((await sendNotice(shenzhen, notice(YIBIN, 'maternal-care', id))).status).toBe(202);
    await agreementBecomes(shenzhen, id, (a) => a.status === 'expired', 'expiry', 20000);
    const late = await sendNotice(shenzhen, notice(YIBIN, 'maternal-care', id));
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/expired/);
    expect((await agreementAt(yibin, id))?.status).toBe('expired');
  });
});
