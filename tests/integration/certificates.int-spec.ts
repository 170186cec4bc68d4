/**
 * 婚育证明 between real city nodes on the real broker: 宜宾 (outflow) issues a
 * certificate to 惠州 (inflow); 惠州 asks for verifications, which 宜宾
 * answers from its records at once or through its staff by the agreement's
 * response SLA. Bad input changes nothing on either node, a hand-made answer
 * to no request gets a signed rejection, and nothing personal lies in clear
 * in the database.
 */
import { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Envelope, inboxTopic, isAnswer } from '@yipanqi/contracts';
import { encryptPii } from '@yipanqi/crypto';
import { InboxMessage, OutboxMessage, RejectionRecord, StreamState } from '@yipanqi/exchange';
import type { Role } from '@yipanqi/http-api';
import { PersonalDataAccess } from '../../apps/city-node/src/access-log/access-log.entity';
import {
  Certificate,
  CertificateNumberSequence,
  CertificateVerification,
} from '../../apps/city-node/src/certificates/certificate.entities';
import { api } from '../support/agreements';
import {
  certificateFor,
  establishOutflowAgreement,
  readWithPurpose,
} from '../support/certificates';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { HandSender } from '../support/hand-sender';
import { testKafka } from '../support/kafka';
import { PeopleGenerator, SyntheticPerson } from '../support/synthetic-people';

const HUIZHOU = '441300';
const YIBIN = '511500';
const PURPOSE = '核验婚育证明';
const HOUR = 3_600_000;
const RESPONSE_HOURS = 48;

interface Delivery {
  state: string;
  reason: string | null;
}

interface CertificateView {
  id: string;
  direction: string;
  issuer: string;
  peer: string;
  agreementId: string;
  validFrom: string;
  validUntil: string;
  messageId: string;
  delivery?: Delivery | null;
  number?: string;
  holder?: { idNumber: string; name: string };
}

interface VerificationView {
  id: string;
  status: string;
  result: string | null;
  answeredBy: string | null;
  requestedAt: string;
  dueAt: string | null;
  overdue: boolean;
  certificateId: string | null;
  requestMessageId: string;
  answerMessageId: string | null;
  delivery?: Delivery | null;
  certificateNumber?: string;
  idNumber?: string;
}

/** A request as the bad-input tests make it: raw text for malformed JSON, `role: null` for no token. */
interface CallOptions {
  body?: unknown;
  raw?: string;
  role?: Role | null;
  purpose?: string;
}

interface Issued {
  id: string;
  number: string;
  code?: string;
}

describe.each(['sqlite', 'postgres'] as const)(
  'certificates between city nodes (%s)',
  (database) => {
    let net: TestNetwork;
    let yibin: TestNode;
    let huizhou: TestNode;
    /** covers marriage certificates; 宜宾 is the outflow node */
    let agreementId: string;
    /** between the same two nodes, without marriage certificates */
    let publicityOnly: string;
    const people = new PeopleGenerator(database === 'sqlite' ? 511500 : 441300);
    const holder: SyntheticPerson = people.person(YIBIN);
    let certificate: Issued;
    let validVerification: VerificationView;

    beforeAll(async () => {
      net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], database);
      [yibin, huizhou] = [net.nodes[YIBIN], net.nodes[HUIZHOU]];
      agreementId = await establishOutflowAgreement(yibin, huizhou, HUIZHOU, {
        scope: ['marriage-certificate', 'information-exchange'],
        responseHours: RESPONSE_HOURS,
      });
      publicityOnly = await establishOutflowAgreement(yibin, huizhou, HUIZHOU, {
        scope: ['publicity'],
      });
    });
    afterAll(() => net.stop());

    const issue = (body: Record<string, unknown>) =>
      api<Issued>(yibin, 'POST', '/certificates', body);
    const requestVerification = (body: Record<string, unknown>) =>
      api<{ id: string }>(huizhou, 'POST', '/certificates/verifications', body);

    const certificatesAt = async (node: TestNode, direction: 'issued' | 'received') =>
      (await api<CertificateView[]>(node, 'GET', `/certificates?direction=${direction}`)).body;

    const verificationsAt = async (node: TestNode, direction: 'sent' | 'received') =>
      (
        await api<VerificationView[]>(
          node,
          'GET',
          `/certificates/verifications?direction=${direction}`,
        )
      ).body;

    const queueAtYibin = async () =>
      (await api<VerificationView[]>(yibin, 'GET', '/certificates/verifications/queue')).body;

    /** Waits until 惠州 holds the answer to its verification request. */
    const answerAtHuizhou = async (id: string): Promise<VerificationView> => {
      let seen: VerificationView | undefined;
      await eventually(
        async () => {
          seen = (await verificationsAt(huizhou, 'sent')).find((v) => v.id === id);
          return seen?.status === 'answered';
        },
        30000,
        `the answer to verification ${id}`,
      );
      return seen as VerificationView;
    };

    const verify = async (certificateNumber: string, idNumber: string) => {
      const asked = await requestVerification({ certificateNumber, idNumber, to: YIBIN });
      expect(asked.status).toBe(202);
      return answerAtHuizhou(asked.body.id);
    };

    describe('issuing', () => {
      it('numbers the certificate and delivers it to Huizhou, whose list shows no personal data', async () => {
        const issued = await issue(certificateFor(holder, HUIZHOU));
        expect(issued.status).toBe(202);
        expect(issued.body.number).toMatch(/^511500-20\d\d-\d{6}$/);
        certificate = issued.body;

        let received: CertificateView | undefined;
        await eventually(
          async () => {
            received = (await certificatesAt(huizhou, 'received')).find(
              (c) => c.id === certificate.id,
            );
            return received !== undefined;
          },
          30000,
          'the certificate at Huizhou',
        );
        expect(received).toMatchObject({
          direction: 'received',
          issuer: YIBIN,
          peer: YIBIN,
          agreementId,
          validFrom: '2026-01-01',
          validUntil: '2035-12-31',
        });
        expect(received).not.toHaveProperty('number');
        expect(received).not.toHaveProperty('holder');

        // the certificate id is the thread's correlationId; only the dates are readable
        const carried = await huizhou.db
          .getRepository(InboxMessage)
          .findOneByOrFail({ id: (received as CertificateView).messageId });
        const envelope = JSON.parse(carried.envelope) as Envelope;
        expect(envelope).toMatchObject({
          type: 'certificate.issued',
          correlationId: certificate.id,
        });
        expect(Object.keys(envelope.payload).sort()).toEqual([
          'certificateId',
          'pii',
          'validFrom',
          'validUntil',
        ]);

        await eventually(
          async () =>
            (await certificatesAt(yibin, 'issued')).find((c) => c.id === certificate.id)?.delivery
              ?.state === 'receipt',
          30000,
          'the receipt at Yibin',
        );
      });

      it('numbers the next certificate of the year one higher', async () => {
        const next = await issue(certificateFor(people.person(YIBIN), HUIZHOU));
        expect(next.status).toBe(202);
        const seq = (n: string) => Number(n.split('-')[2]);
        expect(seq(next.body.number)).toBe(seq(certificate.number) + 1);
      });

      it('keeps a number staff give, without spaces and in capitals', async () => {
        const given = await issue(
          certificateFor(people.person(YIBIN), HUIZHOU, { number: ' 宜婚 证-2026 0042ab ' }),
        );
        expect(given.status).toBe(202);
        expect(given.body.number).toBe('宜婚证-20260042AB');
      });

      it('shows number and holder only for a stated purpose, and logs each read', async () => {
        const one = await readWithPurpose<CertificateView>(
          huizhou,
          `/certificates/${certificate.id}`,
          PURPOSE,
        );
        expect(one.status).toBe(200);
        expect(one.body).toMatchObject({
          number: certificate.number,
          holder: { idNumber: holder.idNumber, name: holder.name },
          maritalStatus: 'married',
          children: 1,
        });
        const listed = await readWithPurpose<CertificateView[]>(
          huizhou,
          '/certificates?reveal=true',
          PURPOSE,
        );
        expect(listed.status).toBe(200);
        expect(listed.body.find((c) => c.id === certificate.id)?.holder?.name).toBe(holder.name);

        const log = await huizhou.db
          .getRepository(PersonalDataAccess)
          .findBy({ recordType: 'certificate', recordId: certificate.id });
        expect(log).toHaveLength(2);
        expect(
          log.every((entry) => entry.purpose === PURPOSE && entry.role === 'coordinator'),
        ).toBe(true);
      });
    });

    describe('verification', () => {
      it('is answered VALID at once when the number and the holder match a certificate in force', async () => {
        // staff may type the number with spaces and small letters
        const typed = ` ${certificate.number.replace(/-/g, ' - ')} `;
        validVerification = await verify(typed, holder.idNumber);
        expect(validVerification).toMatchObject({ result: 'VALID', answeredBy: 'automatic' });

        const atYibin = (await verificationsAt(yibin, 'received')).find(
          (v) => v.id === validVerification.id,
        );
        expect(atYibin).toMatchObject({
          status: 'answered',
          result: 'VALID',
          answeredBy: 'automatic',
          certificateId: certificate.id,
          requestMessageId: validVerification.requestMessageId,
        });
        const answer = await yibin.db
          .getRepository(OutboxMessage)
          .findOneByOrFail({ id: (atYibin as VerificationView).answerMessageId as string });
        expect(JSON.parse(answer.envelope)).toMatchObject({
          type: 'certificate.verify.answered',
          agreementId,
          correlationId: validVerification.id,
          causationId: validVerification.requestMessageId,
          payload: {
            verificationId: validVerification.id,
            result: 'VALID',
            answeredBy: 'automatic',
          },
        });
      });

      it('is answered INVALID at once when someone else presents the certificate', async () => {
        const other = people.person(YIBIN);
        expect(await verify(certificate.number, other.idNumber)).toMatchObject({
          result: 'INVALID',
          answeredBy: 'automatic',
        });
      });

      it('is answered EXPIRED after the last day, INVALID before the first', async () => {
        const [expired, early] = [people.person(YIBIN), people.person(YIBIN)];
        const [oldOne, futureOne] = await Promise.all([
          issue(
            certificateFor(expired, HUIZHOU, { validFrom: '2020-01-01', validUntil: '2021-12-31' }),
          ),
          issue(
            certificateFor(early, HUIZHOU, { validFrom: '2035-01-01', validUntil: '2036-12-31' }),
          ),
        ]);
        expect([oldOne.status, futureOne.status]).toEqual([202, 202]);
        const [a, b] = await Promise.all([
          verify(oldOne.body.number, expired.idNumber),
          verify(futureOne.body.number, early.idNumber),
        ]);
        expect(a).toMatchObject({ result: 'EXPIRED', answeredBy: 'automatic' });
        expect(b).toMatchObject({ result: 'INVALID', answeredBy: 'automatic' });
      });

      it('queues an unknown number for staff, due after the agreement response SLA', async () => {
        const asked = await requestVerification({
          certificateNumber: '511500-2019-000777',
          idNumber: holder.idNumber,
          to: YIBIN,
        });
        expect(asked.status).toBe(202);
        let queued: VerificationView | undefined;
        await eventually(
          async () => {
            queued = (await queueAtYibin()).find((v) => v.id === asked.body.id);
            return queued !== undefined;
          },
          30000,
          'the request in the queue',
        );
        const entry = queued as VerificationView;
        const request = await yibin.db
          .getRepository(InboxMessage)
          .findOneByOrFail({ id: entry.requestMessageId });
        expect(Date.parse(entry.requestedAt)).toBe(request.brokerTime);
        expect(Date.parse(entry.dueAt as string)).toBe(request.brokerTime + RESPONSE_HOURS * HOUR);
        expect(entry).toMatchObject({ status: 'pending', overdue: false, certificateId: null });
        expect(entry).not.toHaveProperty('certificateNumber');
        expect(entry).not.toHaveProperty('idNumber');

        const sent = (await verificationsAt(huizhou, 'sent')).find((v) => v.id === asked.body.id);
        expect(sent).toMatchObject({ status: 'pending', result: null });

        const revealed = await readWithPurpose<VerificationView[]>(
          yibin,
          '/certificates/verifications/queue?reveal=true',
          PURPOSE,
        );
        expect(revealed.body.find((v) => v.id === asked.body.id)).toMatchObject({
          certificateNumber: '511500-2019-000777',
          idNumber: holder.idNumber,
        });
        expect(
          await yibin.db
            .getRepository(PersonalDataAccess)
            .countBy({ recordType: 'verification', recordId: asked.body.id }),
        ).toBe(1);
      });

      it('sends what staff answer, once: a second answer is refused and sends nothing', async () => {
        const [queued] = await queueAtYibin();
        const answered = await api<VerificationView>(
          yibin,
          'POST',
          `/certificates/verifications/${queued.id}/answer`,
          { result: 'NOT_FOUND' },
        );
        expect(answered.status).toBe(202);
        expect(answered.body).toMatchObject({
          status: 'answered',
          result: 'NOT_FOUND',
          answeredBy: 'staff',
        });
        const outboxBefore = await yibin.db.getRepository(OutboxMessage).count();
        const again = await api<{ code: string }>(
          yibin,
          'POST',
          `/certificates/verifications/${queued.id}/answer`,
          { result: 'VALID' },
        );
        expect(again.status).toBe(409);
        expect(again.body.code).toBe('VERIFICATION_ALREADY_ANSWERED');
        // an automatic answer is final too
        const automatic = await api<{ code: string }>(
          yibin,
          'POST',
          `/certificates/verifications/${validVerification.id}/answer`,
          { result: 'INVALID' },
        );
        expect(automatic.body.code).toBe('VERIFICATION_ALREADY_ANSWERED');
        expect(await yibin.db.getRepository(OutboxMessage).count()).toBe(outboxBefore);

        expect(await answerAtHuizhou(queued.id)).toMatchObject({
          result: 'NOT_FOUND',
          answeredBy: 'staff',
        });
        expect((await queueAtYibin()).find((v) => v.id === queued.id)).toBeUndefined();
      });
    });

    describe('bad input', () => {
      let pending: string;

      /** What the two nodes hold: any change shows that a refused request did something. */
      const holdings = async () => {
        const of = async (node: TestNode) => ({
          certificates: await node.db.getRepository(Certificate).count(),
          verifications: await node.db.getRepository(CertificateVerification).count(),
          answered: await node.db.getRepository(CertificateVerification).countBy({
            status: 'answered',
          }),
          sequence: await node.db.getRepository(CertificateNumberSequence).find(),
          outbox: await node.db.getRepository(OutboxMessage).count(),
          inbox: await node.db.getRepository(InboxMessage).count(),
          accessLog: await node.db.getRepository(PersonalDataAccess).count(),
        });
        return { yibin: await of(yibin), huizhou: await of(huizhou) };
      };

      /** Every message sent, answered and received: nothing is still travelling between the nodes. */
      const settled = () =>
        eventually(
          async () => {
            for (const [from, to] of [
              [yibin, huizhou],
              [huizhou, yibin],
            ]) {
              const outbox = await from.db.getRepository(OutboxMessage).find();
              const unanswered = outbox.filter(
                (m) => m.sentAt === null || (m.answer === null && !isAnswer(m.type)),
              );
              const arrived = await to.db.getRepository(InboxMessage).countBy({ from: from.code });
              if (unanswered.length > 0 || arrived < outbox.length) return false;
            }
            return true;
          },
          30000,
          'the exchange to settle',
        );

      beforeAll(async () => {
        const asked = await requestVerification({
          certificateNumber: '511500-2018-000001',
          idNumber: holder.idNumber,
          to: YIBIN,
        });
        pending = asked.body.id;
        await eventually(
          async () => (await queueAtYibin()).some((v) => v.id === pending),
          30000,
          'a pending request',
        );
        await settled();
      });

      const call = async (
        node: TestNode,
        method: string,
        path: string,
        options: CallOptions = {},
      ) => {
        const headers: Record<string, string> = {};
        if (options.role !== null) {
          headers.authorization = `Bearer ${node.tokens[options.role ?? 'coordinator']}`;
        }
        if (options.purpose) headers['x-access-purpose'] = encodeURIComponent(options.purpose);
        if (options.body !== undefined || options.raw !== undefined) {
          headers['content-type'] = 'application/json';
        }
        const res = await fetch(`${node.url}${path}`, {
          method,
          headers,
          body:
            options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        });
        return {
          status: res.status,
          type: res.headers.get('content-type'),
          body: (await res.json()) as { code: string; detail?: string },
        };
      };

      const expectRefused = async (
        node: () => TestNode,
        method: string,
        path: () => string,
        options: () => CallOptions,
        status: number,
        code: string,
      ) => {
        const before = await holdings();
        const res = await call(node(), method, path(), options());
        expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
        expect(res.type).toMatch(/^application\/problem\+json/);
        expect(JSON.stringify(res.body)).not.toContain(holder.idNumber);
        expect(await holdings()).toEqual(before);
      };

      const valid = () => certificateFor(holder, HUIZHOU);
      const withHolder = (idNumber: unknown) => ({
        ...valid(),
        holder: { idNumber, name: holder.name },
      });

      it.each([
        ['malformed JSON', () => ({ raw: '{"to": "441300",' }), 400, 'MALFORMED_JSON'],
        [
          'wrong types',
          () => ({ body: { ...valid(), children: 'two', maritalStatus: 5 } }),
          400,
          'VALIDATION_FAILED',
        ],
        [
          'an unknown field',
          () => ({ body: { ...valid(), spouse: '张伟' } }),
          400,
          'UNKNOWN_FIELD',
        ],
        [
          'a bad check digit',
          () => ({ body: withHolder(people.badCheckDigit(YIBIN)) }),
          400,
          'ID_NUMBER_CHECK_DIGIT',
        ],
        [
          'an impossible birth date',
          () => ({ body: withHolder(people.impossibleBirthDate(YIBIN)) }),
          400,
          'ID_NUMBER_BIRTH_DATE',
        ],
        [
          'a day that does not exist',
          () => ({ body: { ...valid(), validUntil: '2027-02-30' } }),
          400,
          'VALIDATION_FAILED',
        ],
        [
          'a validity that ends before it starts',
          () => ({ body: { ...valid(), validFrom: '2027-01-01', validUntil: '2026-12-31' } }),
          422,
          'VALIDITY_PERIOD_INVALID',
        ],
        [
          'an unknown agreement',
          () => ({ body: { ...valid(), agreementId: uuidv7() } }),
          422,
          'NO_AGREEMENT',
        ],
        [
          'an agreement without marriage certificates',
          () => ({ body: { ...valid(), agreementId: publicityOnly } }),
          422,
          'OUT_OF_SCOPE',
        ],
        [
          'a number already issued',
          () => ({ body: { ...valid(), number: certificate.number } }),
          409,
          'CERTIFICATE_NUMBER_TAKEN',
        ],
        [
          'a node without keys',
          () => ({ body: { ...valid(), to: '110100' } }),
          422,
          'UNKNOWN_PARTNER',
        ],
        ['an auditor', () => ({ body: valid(), role: 'auditor' as Role }), 403, 'FORBIDDEN'],
        ['an admin', () => ({ body: valid(), role: 'admin' as Role }), 403, 'FORBIDDEN'],
        ['no token', () => ({ body: valid(), role: null }), 401, 'UNAUTHENTICATED'],
      ])('POST /certificates refuses %s', async (_what, options, status, code) => {
        await expectRefused(
          () => yibin,
          'POST',
          () => '/certificates',
          options,
          status,
          code,
        );
      });

      it('refuses a certificate from the inflow node of the agreement', async () => {
        await expectRefused(
          () => huizhou,
          'POST',
          () => '/certificates',
          () => ({ body: { ...certificateFor(holder, YIBIN), agreementId } }),
          422,
          'WRONG_PARTY_ROLE',
        );
      });

      const ask = (extra: Record<string, unknown> = {}) => ({
        certificateNumber: certificate.number,
        idNumber: holder.idNumber,
        to: YIBIN,
        ...extra,
      });

      it.each([
        ['malformed JSON', () => ({ raw: '{"to": ' }), 400, 'MALFORMED_JSON'],
        ['wrong types', () => ({ body: ask({ certificateNumber: 42 }) }), 400, 'VALIDATION_FAILED'],
        ['an unknown field', () => ({ body: ask({ reason: '入户' }) }), 400, 'UNKNOWN_FIELD'],
        [
          'a malformed certificate number',
          () => ({ body: ask({ certificateNumber: 'no!' }) }),
          400,
          'VALIDATION_FAILED',
        ],
        [
          'a bad check digit',
          () => ({ body: ask({ idNumber: people.badCheckDigit(YIBIN) }) }),
          400,
          'ID_NUMBER_CHECK_DIGIT',
        ],
        [
          'an impossible birth date',
          () => ({ body: ask({ idNumber: people.impossibleBirthDate(YIBIN) }) }),
          400,
          'ID_NUMBER_BIRTH_DATE',
        ],
        [
          'an unknown agreement',
          () => ({ body: ask({ agreementId: uuidv7() }) }),
          422,
          'NO_AGREEMENT',
        ],
        [
          'an agreement without marriage certificates',
          () => ({ body: ask({ agreementId: publicityOnly }) }),
          422,
          'OUT_OF_SCOPE',
        ],
        ['a node without keys', () => ({ body: ask({ to: '110100' }) }), 422, 'UNKNOWN_PARTNER'],
        ['an auditor', () => ({ body: ask(), role: 'auditor' as Role }), 403, 'FORBIDDEN'],
        ['no token', () => ({ body: ask(), role: null }), 401, 'UNAUTHENTICATED'],
      ])('POST /certificates/verifications refuses %s', async (_what, options, status, code) => {
        await expectRefused(
          () => huizhou,
          'POST',
          () => '/certificates/verifications',
          options,
          status,
          code,
        );
      });

      it('refuses a verification request from the outflow node of the agreement', async () => {
        await expectRefused(
          () => yibin,
          'POST',
          () => '/certificates/verifications',
          () => ({ body: { ...ask(), to: HUIZHOU, agreementId } }),
          422,
          'WRONG_PARTY_ROLE',
        );
      });

      it.each([
        [
          'malformed JSON',
          () => `/${pending}`,
          () => ({ raw: '{"result": ' }),
          400,
          'MALFORMED_JSON',
        ],
        [
          'wrong types',
          () => `/${pending}`,
          () => ({ body: { result: 5 } }),
          400,
          'VALIDATION_FAILED',
        ],
        [
          'a result that does not exist',
          () => `/${pending}`,
          () => ({ body: { result: 'PROBABLY' } }),
          400,
          'VALIDATION_FAILED',
        ],
        [
          'an unknown field',
          () => `/${pending}`,
          () => ({ body: { result: 'VALID', note: '已核' } }),
          400,
          'UNKNOWN_FIELD',
        ],
        [
          'an id that is no UUID',
          () => '/42',
          () => ({ body: { result: 'VALID' } }),
          400,
          'BAD_REQUEST',
        ],
        [
          'an unknown verification',
          () => `/${uuidv7()}`,
          () => ({ body: { result: 'VALID' } }),
          404,
          'VERIFICATION_NOT_FOUND',
        ],
        [
          'an auditor',
          () => `/${pending}`,
          () => ({ body: { result: 'VALID' }, role: 'auditor' as Role }),
          403,
          'FORBIDDEN',
        ],
        [
          'no token',
          () => `/${pending}`,
          () => ({ body: { result: 'VALID' }, role: null }),
          401,
          'UNAUTHENTICATED',
        ],
      ])(
        'POST /certificates/verifications/:id/answer refuses %s',
        async (_what, path, options, status, code) => {
          await expectRefused(
            () => yibin,
            'POST',
            () => `/certificates/verifications${path()}/answer`,
            options,
            status,
            code,
          );
        },
      );

      it('does not let the inflow node answer its own request', async () => {
        await expectRefused(
          () => huizhou,
          'POST',
          () => `/certificates/verifications/${pending}/answer`,
          () => ({ body: { result: 'VALID' } }),
          404,
          'VERIFICATION_NOT_FOUND',
        );
      });

      it.each([
        [
          'a certificate without a purpose',
          () => `/certificates/${certificate.id}`,
          {},
          400,
          'PURPOSE_REQUIRED',
        ],
        [
          'an unknown certificate',
          () => `/certificates/${uuidv7()}`,
          { purpose: PURPOSE },
          404,
          'CERTIFICATE_NOT_FOUND',
        ],
        [
          'a certificate id that is no UUID',
          () => '/certificates/42',
          { purpose: PURPOSE },
          400,
          'BAD_REQUEST',
        ],
        [
          'a certificate to an auditor',
          () => `/certificates/${certificate.id}`,
          { purpose: PURPOSE, role: 'auditor' },
          403,
          'FORBIDDEN',
        ],
        [
          'a revealed list without a purpose',
          () => '/certificates?reveal=true',
          {},
          400,
          'PURPOSE_REQUIRED',
        ],
        [
          'a revealed list to an auditor',
          () => '/certificates?reveal=true',
          { purpose: PURPOSE, role: 'auditor' },
          403,
          'FORBIDDEN',
        ],
        [
          'a list in a direction that does not exist',
          () => '/certificates?direction=sideways',
          {},
          400,
          'VALIDATION_FAILED',
        ],
        ['a list with an unknown filter', () => '/certificates?holder=x', {}, 400, 'UNKNOWN_FIELD'],
        ['a list without a token', () => '/certificates', { role: null }, 401, 'UNAUTHENTICATED'],
        [
          'the queue to an auditor',
          () => '/certificates/verifications/queue',
          { role: 'auditor' },
          403,
          'FORBIDDEN',
        ],
        [
          'the revealed queue without a purpose',
          () => '/certificates/verifications/queue?reveal=true',
          {},
          400,
          'PURPOSE_REQUIRED',
        ],
        [
          'revealed verifications without a purpose',
          () => '/certificates/verifications?reveal=true',
          {},
          400,
          'PURPOSE_REQUIRED',
        ],
        [
          'verifications with a bad limit',
          () => '/certificates/verifications?limit=0',
          {},
          400,
          'VALIDATION_FAILED',
        ],
      ] as [string, () => string, CallOptions, number, string][])(
        'GET refuses %s, reading nothing',
        async (_what, path, options, status, code) => {
          await expectRefused(
            () => yibin,
            'GET',
            path,
            () => options,
            status,
            code,
          );
        },
      );

      it('lets an auditor list certificates and verifications without personal data', async () => {
        const certificates = await api<CertificateView[]>(
          yibin,
          'GET',
          '/certificates?direction=issued',
          undefined,
          'auditor',
        );
        expect(certificates.status).toBe(200);
        expect(certificates.body.length).toBeGreaterThan(0);
        expect(JSON.stringify(certificates.body)).not.toContain(holder.idNumber);
        const verifications = await api(
          yibin,
          'GET',
          '/certificates/verifications',
          undefined,
          'auditor',
        );
        expect(verifications.status).toBe(200);
        expect(JSON.stringify(verifications.body)).not.toContain(holder.idNumber);
      });
    });

    describe('hand-made messages from Yibin', () => {
      let producer: Producer;

      beforeAll(async () => {
        producer = testKafka('certificates-test').producer();
        await producer.connect();
      });
      afterAll(() => producer.disconnect());

      /**
       * Sends as 宜宾 by hand, continuing its real stream to 惠州 (the tests
       * before have settled, so its outbox sends nothing meanwhile).
       */
      const sendByHand = async (
        type: string,
        payload: Record<string, unknown>,
        thread: { correlationId: string; causationId?: string },
      ): Promise<Envelope> => {
        const streams = yibin.db.getRepository(StreamState);
        const stream = await streams.findOneByOrFail({ peer: HUIZHOU, direction: 'out' });
        const sender = new HandSender(YIBIN, HUIZHOU, net.keys[YIBIN]);
        sender.seq = stream.lastSeq;
        sender.lastHash = stream.lastHash;
        sender.agreementId = agreementId;
        const envelope = sender.advance(sender.sign(sender.draft(type, payload, thread)));
        await streams.update(
          { peer: HUIZHOU, direction: 'out' },
          { lastSeq: envelope.seq, lastHash: sender.lastHash },
        );
        await producer.send({
          topic: inboxTopic(HUIZHOU, net.topicPrefix),
          messages: [{ key: YIBIN, value: JSON.stringify(envelope) }],
        });
        return envelope;
      };

      const answerByHand = (verificationId: string, causationId: string, result: string) =>
        sendByHand(
          'certificate.verify.answered',
          { verificationId, result, answeredBy: 'staff' },
          { correlationId: verificationId, causationId },
        );

      /** 惠州 rejected it with `reason`, and the signed rejection reached 宜宾. */
      const refusedAtHuizhou = async (envelope: Envelope, reason = 'SCHEMA_INVALID') => {
        await eventually(
          async () =>
            (await huizhou.db.getRepository(InboxMessage).countBy({
              id: envelope.id,
              outcome: 'rejected',
              rejectionReason: reason,
            })) === 1,
          30000,
          'the rejection',
        );
        await eventually(
          async () =>
            (await yibin.db.getRepository(RejectionRecord).countBy({
              direction: 'received',
              messageId: envelope.id,
              reason,
            })) === 1,
          30000,
          'the rejection at Yibin',
        );
      };

      it('refuses an answer to a verification Huizhou never asked for', async () => {
        const verifications = await huizhou.db.getRepository(CertificateVerification).find();
        const unknown = uuidv7();
        const envelope = await answerByHand(unknown, uuidv7(), 'VALID');
        await refusedAtHuizhou(envelope);
        expect(await huizhou.db.getRepository(CertificateVerification).find()).toEqual(
          verifications,
        );
      });

      it('refuses a second answer to an answered verification', async () => {
        const envelope = await answerByHand(
          validVerification.id,
          validVerification.requestMessageId,
          'INVALID',
        );
        await refusedAtHuizhou(envelope);
        const kept = await huizhou.db
          .getRepository(CertificateVerification)
          .findOneByOrFail({ id: validVerification.id });
        expect(kept).toMatchObject({ result: 'VALID', answeredBy: 'automatic' });
        expect(kept.answerMessageId).toBe(validVerification.answerMessageId);
      });

      it('refuses a verification request from the outflow node of the agreement', async () => {
        const verifications = await huizhou.db.getRepository(CertificateVerification).count();
        const outbox = await huizhou.db.getRepository(OutboxMessage).count();
        const verificationId = uuidv7();
        const envelope = await sendByHand(
          'certificate.verify.requested',
          {
            verificationId,
            pii: await encryptPii(
              { certificateNumber: certificate.number, idNumber: holder.idNumber },
              huizhou.keys.encryption.publicKey,
            ),
          },
          { correlationId: verificationId },
        );
        await refusedAtHuizhou(envelope, 'OUT_OF_SCOPE');
        expect(await huizhou.db.getRepository(CertificateVerification).count()).toBe(verifications);
        // the rejection is all it sent: no answer
        expect(await huizhou.db.getRepository(OutboxMessage).count()).toBe(outbox + 1);
      });
    });

    it('keeps no ID number, name or certificate number in clear in the database', async () => {
      const secrets = [holder.idNumber, holder.name, certificate.number, '511500-2019-000777'];
      for (const node of [yibin, huizhou]) {
        for (const table of [
          'certificate',
          'certificate_verification',
          'exchange_outbox',
          'exchange_inbox',
          'exchange_rejection',
        ]) {
          const dump = JSON.stringify(await node.db.query(`SELECT * FROM ${table}`));
          for (const secret of secrets) expect(dump).not.toContain(secret);
        }
      }
      const rows: unknown[] = await yibin.db.query('SELECT * FROM certificate');
      expect(rows.length).toBeGreaterThan(0);
    });
  },
);
