/**
 * 服务互动 between real city nodes over the real broker: 惠州 (inflow) reports
 * services it delivered for 宜宾 residents and 宜宾 (outflow) acknowledges
 * them; 宜宾 grants a benefit that 惠州 pays; a notice is receipted and read.
 * Every bad request is refused with its own code and changes nothing on
 * either node; a hand-made acknowledgement of an unknown service gets a
 * signed rejection.
 */
import request from 'supertest';
import { ANSWER_TYPES, Envelope, inboxTopic } from '@yipanqi/contracts';
import { encryptPii } from '@yipanqi/crypto';
import {
  envelopeHash,
  InboxMessage,
  OutboxMessage,
  RejectionRecord,
  StreamState,
} from '@yipanqi/exchange';
import type { Role } from '@yipanqi/http-api';
import { PersonalDataAccess } from '../../apps/city-node/src/access-log/access-log.entity';
import { Notice } from '../../apps/city-node/src/notices/notice.entity';
import {
  BenefitEntitlement,
  ServiceReport,
} from '../../apps/city-node/src/services/service.entities';
import { api, establishAgreement } from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { HandSender } from '../support/hand-sender';
import { testKafka } from '../support/kafka';
import { PeopleGenerator } from '../support/synthetic-people';

const HUIZHOU = '441300'; // 惠州, place of inflow
const YIBIN = '511500'; // 宜宾, place of outflow
const PURPOSE = encodeURIComponent('核对服务记录');
const UNKNOWN_ID = '0192f3c4-0000-7000-8000-00000000abcd';

/** Today in China Standard Time. */
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 32 * 3600_000).toISOString().slice(0, 10);

interface ServiceView {
  id: string;
  direction: string;
  entitlementId: string | null;
  thread: string;
  delivery: { state: string; reason: string | null } | null;
  acknowledged: boolean;
  acknowledgement: { by: string | null; delivery: { state: string } | null } | null;
  person?: { idNumber: string; name: string } | null;
  details?: string | null;
  remark?: string | null;
}

interface EntitlementView {
  id: string;
  state: string;
  serviceId: string | null;
  amount: string;
  delivery: { state: string } | null;
  person?: { idNumber: string };
}

interface NoticeView {
  id: string;
  delivery: { state: string; reason: string | null } | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  title?: string;
  text?: string;
}

describe.each(['sqlite', 'postgres'] as const)(
  'services, benefits and notices on %s',
  (database) => {
    let net: TestNetwork;
    let huizhou: TestNode;
    let yibin: TestNode;
    let agreementId: string;
    const people = new PeopleGenerator(20261129);
    const resident = people.person(YIBIN);

    beforeAll(async () => {
      net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], database);
      [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
      agreementId = await establishAgreement(huizhou, yibin, YIBIN, {
        role: 'inflow',
        scope: ['maternal-care', 'contraception', 'publicity', 'information-exchange'],
      });
    });
    afterAll(() => net.stop());

    const person = (p = resident) => ({ idNumber: p.idNumber, name: p.name, phone: p.phone });

    const maternalCare = (extra: Record<string, unknown> = {}) => ({
      to: YIBIN,
      domain: 'maternal-care',
      serviceType: 'maternal-care',
      deliveredOn: today(),
      provider: '惠城区妇幼保健院',
      person: person(),
      details: '孕早期检查，建档',
      ...extra,
    });

    const entitlement = (extra: Record<string, unknown> = {}) => ({
      to: HUIZHOU,
      benefit: 'only-child-parents-reward',
      amount: '120.00',
      periodFrom: '2026-01-01',
      periodTo: '2026-12-31',
      person: person(),
      note: '宜宾市奖励决定 2026-017',
      domain: 'contraception',
      ...extra,
    });

    /** A GET that states a purpose, as staff reading personal data do. */
    const read = async <T>(node: TestNode, path: string, role: Role = 'coordinator') => {
      const res = await request(node.url)
        .get(path)
        .set('Authorization', `Bearer ${node.tokens[role]}`)
        .set('X-Access-Purpose', PURPOSE);
      return { status: res.status, body: res.body as T };
    };

    const listed = async <T extends { id: string }>(node: TestNode, path: string, id: string) =>
      (await api<T[]>(node, 'GET', path)).body.find((row) => row.id === id);

    const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
      let found: T | undefined;
      await eventually(
        async () => {
          found = await probe();
          return found !== undefined;
        },
        30000,
        what,
      );
      return found as T;
    };

    const outgoing = async (node: TestNode, id: string): Promise<Envelope> =>
      JSON.parse(
        (await node.db.getRepository(OutboxMessage).findOneByOrFail({ id })).envelope,
      ) as Envelope;

    /** Until every message either node sent is answered: nothing in flight. */
    const quiet = () =>
      eventually(
        async () => {
          for (const node of [huizhou, yibin]) {
            const unanswered = await node.db
              .getRepository(OutboxMessage)
              .createQueryBuilder('o')
              .where('o.answer IS NULL AND o.type NOT IN (:...answers)', {
                answers: [...ANSWER_TYPES],
              })
              .getCount();
            const unsent = await node.db
              .getRepository(OutboxMessage)
              .createQueryBuilder('o')
              .where('o.sentAt IS NULL')
              .getCount();
            if (unanswered + unsent > 0) return false;
          }
          return true;
        },
        30000,
        'both nodes quiet',
      );

    /** What a refused request must leave alone, on both nodes. */
    const snapshot = async () => {
      const counts: Record<string, number> = {};
      for (const node of [huizhou, yibin]) {
        for (const [name, entity] of Object.entries({
          service: ServiceReport,
          entitlement: BenefitEntitlement,
          notice: Notice,
          outbox: OutboxMessage,
          inbox: InboxMessage,
          access: PersonalDataAccess,
        })) {
          counts[`${node.code} ${name}`] = await node.db.getRepository(entity).count();
        }
        const acknowledged = await node.db
          .getRepository(ServiceReport)
          .createQueryBuilder('s')
          .where('s.acknowledgementMessageId IS NOT NULL')
          .getCount();
        const read = await node.db
          .getRepository(Notice)
          .createQueryBuilder('n')
          .where('n.acknowledgedAt IS NOT NULL')
          .getCount();
        const delivered = await node.db
          .getRepository(BenefitEntitlement)
          .createQueryBuilder('e')
          .where('e.serviceId IS NOT NULL')
          .getCount();
        counts[`${node.code} acknowledged services`] = acknowledged;
        counts[`${node.code} acknowledged notices`] = read;
        counts[`${node.code} entitlements with a service`] = delivered;
      }
      return counts;
    };

    let serviceId: string;
    let serviceMessageId: string;
    let entitlementId: string;
    let paymentId: string;
    let noticeId: string;

    it('reports a maternal-care service that the outflow node sees and acknowledges', async () => {
      const reported = await api<{ id: string; messageId: string }>(
        huizhou,
        'POST',
        '/services',
        maternalCare(),
      );
      expect(reported.status).toBe(202);
      ({ id: serviceId, messageId: serviceMessageId } = reported.body);

      const envelope = await outgoing(huizhou, serviceMessageId);
      expect(envelope).toMatchObject({
        type: 'service.delivered',
        correlationId: serviceId,
        agreementId,
      });
      expect(envelope.payload).toMatchObject({
        serviceType: 'maternal-care',
        domain: 'maternal-care',
      });
      // the person and details travel encrypted only
      expect(JSON.stringify(envelope)).not.toContain(resident.idNumber);
      expect(JSON.stringify(envelope)).not.toContain(resident.name);

      const seen = await until('the report at 宜宾', () =>
        listed<ServiceView>(yibin, '/services?direction=received&acknowledged=false', serviceId),
      );
      expect(seen).toMatchObject({ direction: 'received', acknowledged: false, thread: serviceId });
      expect(JSON.stringify(seen)).not.toContain(resident.idNumber);

      const detail = await read<ServiceView>(yibin, `/services/${serviceId}`);
      expect(detail.status).toBe(200);
      expect(detail.body.person).toEqual(person());
      expect(detail.body.details).toBe('孕早期检查，建档');
      expect(
        await yibin.db
          .getRepository(PersonalDataAccess)
          .countBy({ recordType: 'service', recordId: serviceId }),
      ).toBe(1);

      await until('the receipt at 惠州', async () => {
        const s = await listed<ServiceView>(huizhou, '/services?direction=delivered', serviceId);
        return s?.delivery?.state === 'receipt' ? s : undefined;
      });

      const ack = await api<{ messageId: string }>(
        yibin,
        'POST',
        `/services/${serviceId}/acknowledge`,
        { remark: '已收到，已录入' },
      );
      expect(ack.status).toBe(202);
      const answer = await outgoing(yibin, ack.body.messageId);
      expect(answer).toMatchObject({
        type: 'service.acknowledged',
        correlationId: serviceId,
        causationId: serviceMessageId,
      });

      const acknowledged = await until('the acknowledgement at 惠州', () =>
        listed<ServiceView>(huizhou, '/services?direction=delivered&acknowledged=true', serviceId),
      );
      expect(acknowledged.acknowledged).toBe(true);
      const withRemark = await read<ServiceView>(huizhou, `/services/${serviceId}`);
      expect(withRemark.body.remark).toBe('已收到，已录入');

      const atYibin = await until('the acknowledgement receipted', async () => {
        const s = await listed<ServiceView>(yibin, '/services?acknowledged=true', serviceId);
        return s?.acknowledgement?.delivery?.state === 'receipt' ? s : undefined;
      });
      expect(atYibin.acknowledgement?.by).toBe('test coordinator');
    });

    it('reports a publicity session for a group without naming a person', async () => {
      const reported = await api<{ id: string }>(huizhou, 'POST', '/services', {
        to: YIBIN,
        domain: 'publicity',
        serviceType: 'publicity-session',
        deliveredOn: today(),
        provider: '惠城区江北街道计生办',
        details: '流动人口婚育新风宣传，到场 40 人',
      });
      expect(reported.status).toBe(202);
      const seen = await until('the session at 宜宾', () =>
        listed<ServiceView>(yibin, '/services?direction=received', reported.body.id),
      );
      expect(seen.acknowledged).toBe(false);
      expect((await read<ServiceView>(yibin, `/services/${reported.body.id}`)).body.person).toBe(
        null,
      );
      // a remark is optional: no body at all will do
      const ack = await api(yibin, 'POST', `/services/${reported.body.id}/acknowledge`);
      expect(ack.status).toBe(202);
    });

    it('delivers a benefit the outflow node granted, as a benefit-payment service', async () => {
      const granted = await api<{ id: string; messageId: string }>(
        yibin,
        'POST',
        '/benefits/entitlements',
        entitlement(),
      );
      expect(granted.status).toBe(202);
      entitlementId = granted.body.id;
      expect(await outgoing(yibin, granted.body.messageId)).toMatchObject({
        type: 'benefit.entitlement',
        correlationId: entitlementId,
        payload: { amount: '120.00', benefit: 'only-child-parents-reward' },
      });

      const open = await until('the entitlement at 惠州', () =>
        listed<EntitlementView>(huizhou, '/benefits/entitlements?state=open', entitlementId),
      );
      expect(open).toMatchObject({ state: 'open', serviceId: null, amount: '120.00' });
      const withPerson = await read<EntitlementView>(
        huizhou,
        `/benefits/entitlements/${entitlementId}`,
      );
      expect(withPerson.body.person?.idNumber).toBe(resident.idNumber);

      // the person comes from the entitlement
      const paid = await api<{ id: string; messageId: string }>(huizhou, 'POST', '/services', {
        to: YIBIN,
        domain: 'contraception',
        serviceType: 'benefit-payment',
        deliveredOn: today(),
        provider: '惠城区卫生健康局',
        entitlementId,
        details: '已发放至本人账户',
      });
      expect(paid.status).toBe(202);
      paymentId = paid.body.id;
      expect(await outgoing(huizhou, paid.body.messageId)).toMatchObject({
        type: 'service.delivered',
        correlationId: entitlementId,
        payload: { serviceId: paymentId, entitlementId },
      });
      expect(
        await listed<EntitlementView>(
          huizhou,
          '/benefits/entitlements?state=delivered',
          entitlementId,
        ),
      ).toMatchObject({ serviceId: paymentId });
      expect(
        await listed<EntitlementView>(huizhou, '/benefits/entitlements?state=open', entitlementId),
      ).toBeUndefined();

      const delivered = await until('the entitlement delivered at 宜宾', () =>
        listed<EntitlementView>(yibin, '/benefits/entitlements?state=delivered', entitlementId),
      );
      expect(delivered).toMatchObject({ serviceId: paymentId, delivery: { state: 'receipt' } });
      const payment = await read<ServiceView>(yibin, `/services/${paymentId}`);
      expect(payment.body).toMatchObject({ entitlementId, thread: entitlementId });
      expect(payment.body.person?.idNumber).toBe(resident.idNumber);

      expect((await api(yibin, 'POST', `/services/${paymentId}/acknowledge`, {})).status).toBe(202);
      await until('the payment acknowledged at 惠州', () =>
        listed<ServiceView>(huizhou, '/services?acknowledged=true', paymentId),
      );
    });

    it('sends a notice that is receipted, then read and acknowledged by staff', async () => {
      const sent = await api<{ id: string }>(huizhou, 'POST', '/notices', {
        to: YIBIN,
        category: 'person',
        domain: 'maternal-care',
        title: '孕情通报',
        text: '辖区内一名宜宾籍流动人口已建档，请知悉',
      });
      expect(sent.status).toBe(202);
      noticeId = sent.body.id;

      await until('the receipt of the notice', async () => {
        const n = await listed<NoticeView>(huizhou, '/notices?direction=sent', noticeId);
        return n?.delivery?.state === 'receipt' ? n : undefined;
      });
      const unread = await until('the notice to read at 宜宾', () =>
        listed<NoticeView>(yibin, '/notices?acknowledged=false', noticeId),
      );
      expect(unread).toMatchObject({ acknowledgedAt: null, delivery: null });
      expect(unread.title).toBeUndefined();

      const opened = await read<NoticeView>(yibin, `/notices/${noticeId}`);
      expect(opened.body).toMatchObject({
        title: '孕情通报',
        text: expect.stringContaining('建档'),
      });
      expect(
        await yibin.db
          .getRepository(PersonalDataAccess)
          .countBy({ recordType: 'notice', recordId: noticeId }),
      ).toBe(1);
      expect((await read<NoticeView>(huizhou, `/notices/${noticeId}`)).body.title).toBe('孕情通报');

      const outboxBefore = await yibin.db.getRepository(OutboxMessage).count();
      const ack = await api<NoticeView>(yibin, 'POST', `/notices/${noticeId}/acknowledge`);
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({ id: noticeId, acknowledgedBy: 'test coordinator' });
      expect(typeof ack.body.acknowledgedAt).toBe('number');
      // local: nothing travels to the sender
      expect(await yibin.db.getRepository(OutboxMessage).count()).toBe(outboxBefore);
      expect(
        await listed<NoticeView>(yibin, '/notices?acknowledged=false', noticeId),
      ).toBeUndefined();
      expect(await listed<NoticeView>(yibin, '/notices?acknowledged=true', noticeId)).toBeDefined();
    });

    describe('bad input', () => {
      let before: Record<string, number>;
      let openEntitlementId: string;

      beforeAll(async () => {
        const second = await api<{ id: string }>(
          yibin,
          'POST',
          '/benefits/entitlements',
          entitlement({ benefit: 'special-family-support', amount: '500' }),
        );
        openEntitlementId = second.body.id;
        await until('the second entitlement at 惠州', () =>
          listed<EntitlementView>(huizhou, '/benefits/entitlements?state=open', openEntitlementId),
        );
        await quiet();
        before = await snapshot();
      });

      const unchanged = async () => expect(await snapshot()).toEqual(before);

      const expectProblem = (
        res: { status: number; body: unknown },
        status: number,
        code: string,
      ) => {
        expect({ status: res.status, code: (res.body as { code?: string })?.code }).toEqual({
          status,
          code,
        });
      };

      const send = (node: TestNode, method: 'get' | 'post', path: string, role?: Role) => {
        const req = request(node.url)[method](path);
        if (role) req.set('Authorization', `Bearer ${node.tokens[role]}`);
        return req;
      };

      const flows: Record<string, () => [TestNode, Record<string, unknown>]> = {
        'POST /services': () => [huizhou, maternalCare()],
        'POST /benefits/entitlements': () => [yibin, entitlement()],
      };
      const FLOWS = Object.keys(flows);

      it.each(FLOWS)('%s refuses malformed JSON, wrong roles and missing tokens', async (route) => {
        const [node, body] = flows[route]();
        const path = route.slice('POST '.length);
        expectProblem(
          await send(node, 'post', path, 'coordinator')
            .set('Content-Type', 'application/json')
            .send('{"to": "511500",'),
          400,
          'MALFORMED_JSON',
        );
        expectProblem(await send(node, 'post', path).send(body), 401, 'UNAUTHENTICATED');
        for (const role of ['auditor', 'admin'] as const) {
          expectProblem(await send(node, 'post', path, role).send(body), 403, 'FORBIDDEN');
        }
        await unchanged();
      });

      it.each(FLOWS)('%s refuses wrong types, unknown fields and bad ID numbers', async (route) => {
        const [node, body] = flows[route]();
        const path = route.slice('POST '.length);
        const post = (b: Record<string, unknown>) =>
          send(node, 'post', path, 'coordinator').send(b);
        const wrongTypes = await post({ ...body, domain: 7, person: 'someone' });
        expectProblem(wrongTypes, 400, 'VALIDATION_FAILED');
        expect(
          (wrongTypes.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
        ).toEqual(['domain', 'person']);
        expectProblem(await post({ ...body, priority: 'high' }), 400, 'UNKNOWN_FIELD');
        expectProblem(
          await post({ ...body, person: { ...person(), idNumber: people.badCheckDigit(YIBIN) } }),
          400,
          'ID_NUMBER_CHECK_DIGIT',
        );
        const impossibleId = people.impossibleBirthDate(YIBIN);
        const impossible = await post({ ...body, person: { ...person(), idNumber: impossibleId } });
        expectProblem(impossible, 400, 'ID_NUMBER_BIRTH_DATE');
        expect(JSON.stringify(impossible.body)).not.toContain(impossibleId);
        await unchanged();
      });

      it.each(FLOWS)(
        '%s refuses an unknown agreement, partner or out-of-scope domain',
        async (route) => {
          const [node, body] = flows[route]();
          const path = route.slice('POST '.length);
          const post = (b: Record<string, unknown>) =>
            send(node, 'post', path, 'coordinator').send(b);
          expectProblem(await post({ ...body, agreementId: UNKNOWN_ID }), 422, 'NO_AGREEMENT');
          expectProblem(await post({ ...body, domain: 'fee-collection' }), 422, 'OUT_OF_SCOPE');
          expectProblem(await post({ ...body, to: '110100' }), 422, 'UNKNOWN_PARTNER');
          await unchanged();
        },
      );

      it('refuses service reports that break the service rules', async () => {
        const post = (b: Record<string, unknown>) =>
          send(huizhou, 'post', '/services', 'coordinator').send(b);
        // JSON leaves the undefined person out
        expectProblem(await post(maternalCare({ person: undefined })), 400, 'VALIDATION_FAILED');
        expectProblem(
          await post(maternalCare({ serviceType: 'massage' })),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(
          await post(maternalCare({ deliveredOn: '2026-02-30' })),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(
          await post(maternalCare({ deliveredOn: tomorrow() })),
          422,
          'DELIVERED_ON_IN_FUTURE',
        );
        const payment = {
          ...maternalCare({ serviceType: 'benefit-payment', domain: 'contraception' }),
          entitlementId: openEntitlementId,
        };
        expectProblem(
          await post({ ...payment, entitlementId: UNKNOWN_ID }),
          422,
          'UNKNOWN_ENTITLEMENT',
        );
        expectProblem(
          await post({ ...payment, entitlementId }),
          409,
          'ENTITLEMENT_ALREADY_DELIVERED',
        );
        expectProblem(
          await post({ ...payment, serviceType: 'maternal-care' }),
          422,
          'ENTITLEMENT_MISMATCH',
        );
        expectProblem(
          await post({ ...payment, person: person(people.person(YIBIN)) }),
          422,
          'ENTITLEMENT_MISMATCH',
        );
        // an entitlement is paid by the node it was granted to, to the node that granted it
        expectProblem(
          await send(yibin, 'post', '/services', 'coordinator').send({ ...payment, to: HUIZHOU }),
          422,
          'UNKNOWN_ENTITLEMENT',
        );
        await unchanged();
      });

      it('refuses entitlements that break the benefit rules', async () => {
        const post = (node: TestNode, b: Record<string, unknown>) =>
          send(node, 'post', '/benefits/entitlements', 'coordinator').send(b);
        expectProblem(await post(huizhou, entitlement({ to: YIBIN })), 422, 'NOT_OUTFLOW_NODE');
        for (const amount of ['0', '-3', '12.345', 120]) {
          expectProblem(await post(yibin, entitlement({ amount })), 400, 'VALIDATION_FAILED');
        }
        expectProblem(
          await post(yibin, entitlement({ periodTo: '2025-12-31' })),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(
          await post(yibin, entitlement({ benefit: 'lottery' })),
          400,
          'VALIDATION_FAILED',
        );
        await unchanged();
      });

      it('refuses bad acknowledgements of services', async () => {
        const ack = (node: TestNode, id: string, role: Role | null = 'coordinator') =>
          send(node, 'post', `/services/${id}/acknowledge`, role ?? undefined);
        expectProblem(await ack(yibin, serviceId).send({}), 409, 'SERVICE_ALREADY_ACKNOWLEDGED');
        expectProblem(await ack(huizhou, serviceId).send({}), 422, 'OWN_SERVICE');
        expectProblem(await ack(yibin, UNKNOWN_ID).send({}), 404, 'SERVICE_NOT_FOUND');
        expectProblem(await ack(yibin, 'not-a-uuid').send({}), 400, 'BAD_REQUEST');
        expectProblem(
          await ack(yibin, serviceId).set('Content-Type', 'application/json').send('{"remark":'),
          400,
          'MALFORMED_JSON',
        );
        expectProblem(await ack(yibin, serviceId).send({ remark: 5 }), 400, 'VALIDATION_FAILED');
        expectProblem(await ack(yibin, serviceId).send({ seen: true }), 400, 'UNKNOWN_FIELD');
        expectProblem(await ack(yibin, serviceId, 'auditor').send({}), 403, 'FORBIDDEN');
        expectProblem(await ack(yibin, serviceId, null).send({}), 401, 'UNAUTHENTICATED');
        await unchanged();
      });

      it('refuses bad acknowledgements of notices', async () => {
        const ack = (node: TestNode, id: string, role: Role | null = 'coordinator') =>
          send(node, 'post', `/notices/${id}/acknowledge`, role ?? undefined);
        expectProblem(await ack(yibin, noticeId), 409, 'NOTICE_ALREADY_ACKNOWLEDGED');
        expectProblem(await ack(huizhou, noticeId), 422, 'OWN_NOTICE');
        expectProblem(await ack(yibin, UNKNOWN_ID), 404, 'NOTICE_NOT_FOUND');
        expectProblem(await ack(yibin, 'not-a-uuid'), 400, 'BAD_REQUEST');
        expectProblem(await ack(yibin, noticeId, 'auditor'), 403, 'FORBIDDEN');
        expectProblem(await ack(yibin, noticeId, null), 401, 'UNAUTHENTICATED');
        await unchanged();
      });

      it('reads personal data only with a purpose, as a coordinator, and logs nothing otherwise', async () => {
        for (const path of [
          `/services/${serviceId}`,
          `/benefits/entitlements/${entitlementId}`,
          `/notices/${noticeId}`,
        ]) {
          expectProblem(await send(yibin, 'get', path, 'coordinator'), 400, 'PURPOSE_REQUIRED');
          expectProblem(await read(yibin, path, 'auditor'), 403, 'FORBIDDEN');
          expectProblem(await send(yibin, 'get', path), 401, 'UNAUTHENTICATED');
        }
        expectProblem(await read(yibin, `/services/${UNKNOWN_ID}`), 404, 'SERVICE_NOT_FOUND');
        expectProblem(
          await read(yibin, `/benefits/entitlements/${UNKNOWN_ID}`),
          404,
          'ENTITLEMENT_NOT_FOUND',
        );
        expectProblem(await read(yibin, `/notices/${UNKNOWN_ID}`), 404, 'NOTICE_NOT_FOUND');
        await unchanged();
      });

      it('lets auditors list without personal data and refuses bad filters', async () => {
        for (const path of ['/services', '/benefits/entitlements', '/notices']) {
          const res = await api<unknown[]>(yibin, 'GET', path, undefined, 'auditor');
          expect(res.status).toBe(200);
          expect(JSON.stringify(res.body)).not.toContain(resident.idNumber);
          expectProblem(await send(yibin, 'get', path, 'admin'), 403, 'FORBIDDEN');
        }
        for (const path of [
          '/services?direction=sideways',
          '/services?acknowledged=maybe',
          '/services?limit=0',
          '/benefits/entitlements?state=paid',
          '/notices?acknowledged=yes',
          '/notices?limit=5000',
        ]) {
          expectProblem(await api(yibin, 'GET', path), 400, 'VALIDATION_FAILED');
        }
        await unchanged();
      });
    });

    it('rejects, signed, what 宜宾 sends about unknown services or entitlements, or twice', async () => {
      await quiet();
      // 宜宾's real stream to 惠州, continued by hand while nothing else is in flight
      const stream = await yibin.db
        .getRepository(StreamState)
        .findOneByOrFail({ peer: HUIZHOU, direction: 'out' });
      const sender = new HandSender(YIBIN, HUIZHOU, net.keys[YIBIN]);
      sender.seq = stream.lastSeq;
      sender.lastHash = stream.lastHash;
      sender.agreementId = agreementId;
      const seal = (secret: object) => encryptPii(secret, net.keys[HUIZHOU].encryption.publicKey);
      const acknowledgement = async (id: string) => ({
        serviceId: id,
        domain: 'maternal-care',
        pii: await seal({ remark: '已收到' }),
      });
      const cases = [
        {
          detail: /no service/,
          envelope: sender.draft('service.acknowledged', await acknowledgement(UNKNOWN_ID), {
            correlationId: UNKNOWN_ID,
            causationId: serviceMessageId,
          }),
        },
        {
          detail: /already acknowledged/,
          envelope: sender.draft('service.acknowledged', await acknowledgement(serviceId), {
            correlationId: serviceId,
            causationId: serviceMessageId,
          }),
        },
        {
          // 惠州 granted no entitlement: it pays them, it does not grant them
          detail: /no entitlement/,
          envelope: sender.draft(
            'service.delivered',
            {
              serviceId: '0192f3c4-0000-7000-8000-00000000beef',
              serviceType: 'benefit-payment',
              domain: 'contraception',
              deliveredOn: today(),
              provider: '宜宾市翠屏区卫生健康局',
              entitlementId: UNKNOWN_ID,
              pii: await seal({ person: person() }),
            },
            { correlationId: UNKNOWN_ID },
          ),
        },
      ];
      const before = await snapshot();
      // drafted up front, so each is renumbered to continue the stream of the one before
      const envelopes = cases.map((c) =>
        sender.advance(
          sender.sign({ ...c.envelope, seq: sender.seq + 1, prevHash: sender.lastHash }),
        ),
      );
      const last = envelopes[envelopes.length - 1];
      await yibin.db
        .getRepository(StreamState)
        .update(
          { peer: HUIZHOU, direction: 'out' },
          { lastSeq: last.seq, lastHash: envelopeHash(last) },
        );
      const producer = testKafka('services-test').producer();
      await producer.connect();
      await producer.send({
        topic: inboxTopic(HUIZHOU, net.topicPrefix),
        messages: envelopes.map((e) => ({ key: YIBIN, value: JSON.stringify(e) })),
      });
      await producer.disconnect();

      for (const [i, envelope] of envelopes.entries()) {
        const rejection = await until('the signed rejection at 宜宾', () =>
          yibin.db
            .getRepository(RejectionRecord)
            .findOneBy({ direction: 'received', messageId: envelope.id })
            .then((r) => r ?? undefined),
        );
        expect(rejection.reason).toBe('SCHEMA_INVALID');
        expect(rejection.detail).toMatch(cases[i].detail);
        expect(
          await huizhou.db.getRepository(InboxMessage).findOneByOrFail({ id: envelope.id }),
        ).toMatchObject({ outcome: 'rejected', rejectionReason: 'SCHEMA_INVALID' });
      }
      // nothing applied: only the inboxes and the rejections moved
      const after = await snapshot();
      expect({
        ...after,
        [`${HUIZHOU} inbox`]: before[`${HUIZHOU} inbox`],
        [`${HUIZHOU} outbox`]: before[`${HUIZHOU} outbox`],
        [`${YIBIN} inbox`]: before[`${YIBIN} inbox`],
      }).toEqual(before);
      expect(after[`${HUIZHOU} inbox`]).toBe(before[`${HUIZHOU} inbox`] + 3);
    });
  },
);
