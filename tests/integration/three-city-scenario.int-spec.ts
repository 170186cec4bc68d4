/**
 * Issue 5's acceptance story: three real city nodes on SQLite and the real
 * broker — 惠州 441300 and 深圳 440300 (places of inflow), 宜宾 511500 (place of
 * outflow) — and one synthetic 宜宾 resident who lives in 惠州, then moves on
 * to 深圳. Every coordination flow is used once, step by step; at the end every
 * message has exactly one receipt, each node's access log holds exactly the
 * reads the story made, and no node's SQLite file holds the person in clear.
 * Then one pass of bad requests over every endpoint the story used, across the
 * three nodes, each refused with its own code and leaving no trace anywhere.
 * Every app logs at debug into one collector throughout: at the end no line
 * holds any ID number, name, phone or address the story used, while the
 * lines do hold each request (route template, request id) and each message
 * sent and applied (message id, type, from, to).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { PairScore, rankCampaign } from '@yipanqi/evaluation';
import { CampaignResult, publishedPair } from '@yipanqi/exchange-log';
import { OutboxMessage, RejectionRecord } from '@yipanqi/exchange';
import type { Role } from '@yipanqi/http-api';
import { kafkaSettingsFromEnv } from '@yipanqi/kafka-access';
import { chinaToday } from '../../apps/city-node/src/migrants/migrant-rules';
import { runAuditorCli } from '../../apps/auditor/src/cli';
import { AuditReport } from '../../apps/auditor/src/report/audit-report';
import { CampaignView } from '../../apps/coordinator/src/campaigns/campaign.views';
import { api, establishAgreement, ReachableNode } from '../support/agreements';
import {
  ArrivalRows,
  getJson,
  importSettles,
  syntheticCampaignFile,
  uploadCsv,
} from '../support/campaign-import';
import { certificateFor } from '../support/certificates';
import { startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { CollectedLogs, LogLine, secretsIn } from '../support/logs';
import { arrivalOf } from '../support/migrants';
import { OpenApiAnswers } from '../support/openapi-answers';
import {
  answerProblems,
  encodingsOf,
  holdings,
  quiet,
  Request,
  send,
  sqliteBytes,
  until,
} from '../support/scenario';
import { PeopleGenerator } from '../support/synthetic-people';

const HUIZHOU = '441300'; // 惠州, inflow
const SHENZHEN = '440300'; // 深圳, inflow
const YIBIN = '511500'; // 宜宾, outflow

const CHECK_RESIDENCE = '流动人口信息核查';
const CHECK_CERTIFICATE = '核验婚育证明';
const HANDLE_TASK = '协查办理';
const CHECK_SERVICE = '核对服务记录';
const PAY_BENEFIT = '兑现奖励扶助';
const READ_NOTICE = '阅办信息通报';

interface MigrantView {
  id: string;
  side: string;
  status: string;
  inflowNode: string;
  nextNode: string | null;
  previousRecordId: string | null;
  arrivalRecordId: string | null;
  person?: { idNumber: string; name: string; phone?: string; address?: string };
  children?: number;
}
interface VerificationView {
  id: string;
  status: string;
  result: string | null;
  answeredBy: string | null;
  certificateId: string | null;
}
interface TaskView {
  id: string;
  state: string;
  box: string;
  subject?: { idNumber: string };
  history: { action: string; by: string; report?: string }[];
}
interface ServiceView {
  id: string;
  acknowledged: boolean;
  entitlementId: string | null;
  person?: { idNumber: string } | null;
  remark?: string | null;
}
interface EntitlementView {
  id: string;
  state: string;
  serviceId: string | null;
  person?: { idNumber: string };
}
interface NoticeView {
  id: string;
  delivery: { state: string } | null;
  acknowledgedBy: string | null;
  title?: string;
}
interface AccessEntry {
  recordType: string;
  recordId: string;
  purpose: string;
  role: string;
  label: string;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('three cities, one person, every flow (SQLite, real broker)', () => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let shenzhen: TestNode;
  let yibin: TestNode;
  let nodes: TestNode[];
  let shenzhenHuizhou: string;

  const people = new PeopleGenerator(5_2026_1129);
  const campaignRows = new ArrivalRows(2026_1129);
  /** every line of the four apps, at debug (they run in this process: one collector for all) */
  const logs = new CollectedLogs();
  /** answers the story keeps, checked at the end against each app's OpenAPI document */
  const documented = new OpenApiAnswers();
  const person = people.person(YIBIN);
  const identity = { idNumber: person.idNumber, name: person.name, phone: person.phone };
  const newPhone = '13800138000';

  /** Every read of personal data the story makes, per node: what the access logs must hold. */
  const reads: Record<string, { recordType: string; recordId: string; purpose: string }[]> = {
    [HUIZHOU]: [],
    [SHENZHEN]: [],
    [YIBIN]: [],
  };
  /** A GET of personal data, with its purpose; the story expects it in the node's access log. */
  async function read<T>(
    node: TestNode,
    path: string,
    purpose: string,
    logged: { recordType: string; recordIds: string[] },
  ): Promise<T> {
    const res = await send<T>(node, 'GET', path, { purpose });
    expect(res.status).toBe(200);
    for (const recordId of logged.recordIds) {
      reads[node.code].push({ recordType: logged.recordType, recordId, purpose });
    }
    return res.body;
  }

  /** A list without personal data (no purpose, nothing logged), polled until `pick` finds something. */
  const seen = <T>(
    node: TestNode,
    path: string,
    what: string,
    pick: (rows: T[]) => T | undefined,
  ) => until(what, async () => pick((await send<T[]>(node, 'GET', path)).body));

  const migrants = async (node: TestNode, side: string) =>
    (await send<{ items: MigrantView[] }>(node, 'GET', `/migrants?side=${side}`)).body.items;

  // ids the story makes, in order
  let firstStay: string;
  let secondStay: string;
  let certificate: { id: string; number: string };
  let staffVerification: string;
  let investigation: string;
  let rejectedTask: string;
  let cancelledTask: string;
  let maternalCare: string;
  let entitlement: string;
  let payment: string;
  let notice: string;

  /** the evaluation period opens before the first message (the agreements) */
  const periodStart = instant(Date.now() - 1000);

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, SHENZHEN, YIBIN], undefined, 'sqlite', { logTo: logs });
    [huizhou, shenzhen, yibin] = [net.nodes[HUIZHOU], net.nodes[SHENZHEN], net.nodes[YIBIN]];
    nodes = [huizhou, shenzhen, yibin];
    [, , shenzhenHuizhou] = await Promise.all([
      establishAgreement(huizhou, yibin, YIBIN, { role: 'inflow' }),
      establishAgreement(shenzhen, yibin, YIBIN, { role: 'inflow' }),
      establishAgreement(shenzhen, huizhou, HUIZHOU, {
        role: 'inflow',
        scope: ['information-exchange'],
      }),
    ]);
  });
  afterAll(() => net.stop());

  describe('the story', () => {
    it('1. 惠州 registers the arrival of a 宜宾 resident; 宜宾 learns they live in 441300', async () => {
      const registered = await send<{ id: string; outflowNode: string }>(
        huizhou,
        'POST',
        '/migrants/arrivals',
        { body: arrivalOf(person, { arrivedOn: '2026-03-01', children: 1 }) },
      );
      expect(registered.status).toBe(201);
      expect(registered.body.outflowNode).toBe(YIBIN);
      firstStay = registered.body.id;
      documented.keep(huizhou.url, 'POST /migrants/arrivals', registered);

      const atYibin = await until('the arrival at 宜宾', async () =>
        (await migrants(yibin, 'outflow')).find((r) => r.id === firstStay),
      );
      expect(atYibin).toMatchObject({ status: 'living-elsewhere', inflowNode: HUIZHOU });
      expect(atYibin.person).toBeUndefined();

      const record = await read<MigrantView>(yibin, `/migrants/${firstStay}`, CHECK_RESIDENCE, {
        recordType: 'migrant',
        recordIds: [firstStay],
      });
      expect(record.person).toMatchObject(identity);
      expect(record.children).toBe(1);
      documented.keep(yibin.url, 'GET /migrants/{id}', { status: 200, body: record });
    });

    it('2. 宜宾 issues a 婚育证明 to 惠州', async () => {
      const issued = await send<{ id: string; number: string }>(yibin, 'POST', '/certificates', {
        body: certificateFor(person, HUIZHOU, {
          validFrom: '2026-01-01',
          validUntil: '2027-12-31',
        }),
      });
      expect(issued.status).toBe(202);
      certificate = issued.body;
      expect(certificate.number).toMatch(/^511500-2026-\d{6}$/);

      await seen<{ id: string }>(
        huizhou,
        '/certificates?direction=received',
        'the certificate',
        (c) => c.find((x) => x.id === certificate.id),
      );
      const held = await read<{ number: string; holder: { idNumber: string } }>(
        huizhou,
        `/certificates/${certificate.id}`,
        CHECK_CERTIFICATE,
        { recordType: 'certificate', recordIds: [certificate.id] },
      );
      expect(held.number).toBe(certificate.number);
      expect(held.holder.idNumber).toBe(person.idNumber);
    });

    it('3. 惠州 verifies the certificate the person presents: VALID, answered automatically', async () => {
      const asked = await send<{ id: string }>(huizhou, 'POST', '/certificates/verifications', {
        body: { certificateNumber: certificate.number, idNumber: person.idNumber, to: YIBIN },
      });
      expect(asked.status).toBe(202);
      const answer = await seen<VerificationView>(
        huizhou,
        '/certificates/verifications?direction=sent',
        'the automatic answer',
        (v) => v.find((x) => x.id === asked.body.id && x.status === 'answered'),
      );
      expect(answer).toMatchObject({ result: 'VALID', answeredBy: 'automatic' });
      const atYibin = (
        await send<VerificationView[]>(yibin, 'GET', '/certificates/verifications')
      ).body.find((v) => v.id === asked.body.id);
      expect(atYibin).toMatchObject({ result: 'VALID', certificateId: certificate.id });
    });

    it('4. a certificate number 宜宾 does not know waits for its staff, who answer it', async () => {
      const asked = await send<{ id: string }>(huizhou, 'POST', '/certificates/verifications', {
        body: { certificateNumber: '511500-2019-000123', idNumber: person.idNumber, to: YIBIN },
      });
      expect(asked.status).toBe(202);
      staffVerification = asked.body.id;
      await seen<VerificationView>(
        yibin,
        '/certificates/verifications/queue',
        'the request in 宜宾’s queue',
        (q) => q.find((v) => v.id === staffVerification),
      );
      // staff look at what was presented (the only pending request), find the paper certificate
      const queue = await read<{ id: string; certificateNumber: string }[]>(
        yibin,
        '/certificates/verifications/queue?reveal=true',
        CHECK_CERTIFICATE,
        { recordType: 'verification', recordIds: [staffVerification] },
      );
      expect(queue.map((v) => [v.id, v.certificateNumber])).toEqual([
        [staffVerification, '511500-2019-000123'],
      ]);
      const answered = await send(
        yibin,
        'POST',
        `/certificates/verifications/${staffVerification}/answer`,
        { body: { result: 'VALID' } },
      );
      expect(answered.status).toBe(202);

      const answer = await seen<VerificationView>(
        huizhou,
        '/certificates/verifications?direction=sent',
        'the staff answer',
        (v) => v.find((x) => x.id === staffVerification && x.status === 'answered'),
      );
      expect(answer).toMatchObject({ result: 'VALID', answeredBy: 'staff' });
    });

    const task = (node: TestNode, id: string, check: (t: TaskView) => boolean, what: string) =>
      until(what, async () => {
        const res = await send<TaskView>(node, 'GET', `/tasks/${id}`);
        return res.status === 200 && check(res.body) ? res.body : undefined;
      });
    const act = async (node: TestNode, id: string, action: string, body: object) => {
      const res = await send<TaskView>(node, 'POST', `/tasks/${id}/${action}`, { body });
      expect([action, res.status]).toEqual([action, 200]);
      return res.body;
    };

    it('5. 惠州 asks 宜宾 for a 协查, which 宜宾 accepts, reports on and completes', async () => {
      const requested = await send<TaskView>(huizhou, 'POST', '/tasks', {
        body: {
          to: YIBIN,
          kind: 'investigation',
          domain: 'information-exchange',
          subject: identity,
          instructions: '请核实其户籍及婚育情况',
          dueAt: inDays(7),
        },
      });
      expect(requested.status).toBe(202);
      investigation = requested.body.id;
      documented.keep(huizhou.url, 'POST /tasks', requested);

      await task(yibin, investigation, () => true, 'the request at 宜宾');
      const revealed = await read<TaskView>(
        yibin,
        `/tasks/${investigation}?reveal=true`,
        HANDLE_TASK,
        { recordType: 'task', recordIds: [investigation] },
      );
      expect(revealed.subject?.idNumber).toBe(person.idNumber);
      documented.keep(yibin.url, 'GET /tasks/{id}', { status: 200, body: revealed });

      await act(yibin, investigation, 'accept', { note: '已指派专人办理' });
      await task(huizhou, investigation, (t) => t.state === 'accepted', 'the acceptance at 惠州');
      await act(yibin, investigation, 'progress', { note: '已联系户籍地派出所' });
      await task(
        huizhou,
        investigation,
        (t) => t.history.some((s) => s.action === 'progress'),
        'the progress at 惠州',
      );
      expect(
        (await act(yibin, investigation, 'complete', { outcome: 'done', report: '户籍属实' }))
          .state,
      ).toBe('completed');
      const done = await task(
        huizhou,
        investigation,
        (t) => t.state === 'completed',
        'the completion at 惠州',
      );
      expect(done.history.map((s) => [s.action, s.by])).toEqual([
        ['request', HUIZHOU],
        ['accept', YIBIN],
        ['progress', YIBIN],
        ['complete', YIBIN],
      ]);
      const report = await read<TaskView>(
        huizhou,
        `/tasks/${investigation}?reveal=true`,
        HANDLE_TASK,
        { recordType: 'task', recordIds: [investigation] },
      );
      expect(report.history[3].report).toBe('户籍属实');
    });

    it('6. 宜宾 rejects a task that is not its remit', async () => {
      const requested = await send<TaskView>(huizhou, 'POST', '/tasks', {
        body: {
          to: YIBIN,
          kind: 'commission',
          domain: 'maternal-care',
          subject: identity,
          instructions: '请协助开展孕产期随访',
        },
      });
      expect(requested.status).toBe(202);
      rejectedTask = requested.body.id;
      await task(yibin, rejectedTask, () => true, 'the request at 宜宾');
      await act(yibin, rejectedTask, 'reject', {
        reason: 'not-our-remit',
        detail: '当事人现居惠州，应由居住地提供',
      });
      await task(huizhou, rejectedTask, (t) => t.state === 'rejected', 'the rejection at 惠州');
    });

    it('7. 惠州 cancels a task it no longer needs', async () => {
      const requested = await send<TaskView>(huizhou, 'POST', '/tasks', {
        body: {
          to: YIBIN,
          kind: 'investigation',
          domain: 'information-exchange',
          subject: identity,
          instructions: '请核实其联系电话',
        },
      });
      expect(requested.status).toBe(202);
      cancelledTask = requested.body.id;
      await task(yibin, cancelledTask, () => true, 'the request at 宜宾');
      await act(huizhou, cancelledTask, 'cancel', { reason: 'no-longer-needed' });
      await task(yibin, cancelledTask, (t) => t.state === 'cancelled', 'the cancellation at 宜宾');
    });

    it('8. 惠州 reports a maternal-care service; 宜宾 reads and acknowledges it', async () => {
      const reported = await send<{ id: string }>(huizhou, 'POST', '/services', {
        body: {
          to: YIBIN,
          domain: 'maternal-care',
          serviceType: 'maternal-care',
          deliveredOn: chinaToday(),
          provider: '惠城区妇幼保健院',
          person: identity,
          details: '孕早期检查，建档',
        },
      });
      expect(reported.status).toBe(202);
      maternalCare = reported.body.id;

      await seen<ServiceView>(
        yibin,
        '/services?direction=received&acknowledged=false',
        'the report',
        (s) => s.find((x) => x.id === maternalCare),
      );
      const report = await read<ServiceView>(yibin, `/services/${maternalCare}`, CHECK_SERVICE, {
        recordType: 'service',
        recordIds: [maternalCare],
      });
      expect(report.person?.idNumber).toBe(person.idNumber);
      const ack = await send(yibin, 'POST', `/services/${maternalCare}/acknowledge`, {
        body: { remark: '已收到，已录入' },
      });
      expect(ack.status).toBe(202);

      await seen<ServiceView>(
        huizhou,
        '/services?direction=delivered&acknowledged=true',
        'the acknowledgement at 惠州',
        (s) => s.find((x) => x.id === maternalCare),
      );
    });

    it('9. 宜宾 grants a benefit; 惠州 pays it as a service; 宜宾 sees it delivered', async () => {
      const granted = await send<{ id: string }>(yibin, 'POST', '/benefits/entitlements', {
        body: {
          to: HUIZHOU,
          benefit: 'only-child-parents-reward',
          amount: '120.00',
          periodFrom: '2026-01-01',
          periodTo: '2026-12-31',
          person: identity,
          note: '宜宾市奖励决定 2026-017',
          domain: 'contraception',
        },
      });
      expect(granted.status).toBe(202);
      entitlement = granted.body.id;

      await seen<EntitlementView>(
        huizhou,
        '/benefits/entitlements?direction=received&state=open',
        'the entitlement at 惠州',
        (e) => e.find((x) => x.id === entitlement),
      );
      const granting = await read<EntitlementView>(
        huizhou,
        `/benefits/entitlements/${entitlement}`,
        PAY_BENEFIT,
        { recordType: 'benefit-entitlement', recordIds: [entitlement] },
      );
      expect(granting.person?.idNumber).toBe(person.idNumber);

      const paid = await send<{ id: string }>(huizhou, 'POST', '/services', {
        body: {
          to: YIBIN,
          domain: 'contraception',
          serviceType: 'benefit-payment',
          deliveredOn: chinaToday(),
          provider: '惠城区卫生健康局',
          entitlementId: entitlement,
          details: '已发放至本人账户',
        },
      });
      expect(paid.status).toBe(202);
      payment = paid.body.id;

      const delivered = await seen<EntitlementView>(
        yibin,
        '/benefits/entitlements?direction=sent&state=delivered',
        'the entitlement delivered at 宜宾',
        (e) => e.find((x) => x.id === entitlement),
      );
      expect(delivered.serviceId).toBe(payment);
    });

    it('10. 惠州 sends a notice; it is receipted, and 宜宾’s staff read and acknowledge it', async () => {
      const sent = await send<{ id: string }>(huizhou, 'POST', '/notices', {
        body: {
          to: YIBIN,
          category: 'person',
          domain: 'information-exchange',
          title: '流动人口变动通报',
          text: '一名宜宾籍流动人口拟迁往深圳，请知悉',
        },
      });
      expect(sent.status).toBe(202);
      notice = sent.body.id;
      documented.keep(huizhou.url, 'POST /notices', sent);

      await seen<NoticeView>(huizhou, '/notices?direction=sent', 'the receipt of the notice', (n) =>
        n.find((x) => x.id === notice && x.delivery?.state === 'receipt'),
      );
      const listed = await seen<NoticeView>(
        yibin,
        '/notices?acknowledged=false',
        'the notice at 宜宾',
        (n) => n.find((x) => x.id === notice),
      );
      expect(listed).not.toHaveProperty('title');
      // the inbox list with titles, for a stated purpose: each listed notice is a logged read
      const titled = await send<(NoticeView & { title: string })[]>(
        yibin,
        'GET',
        '/notices?acknowledged=false&reveal=true',
        { purpose: READ_NOTICE },
      );
      expect(titled.status).toBe(200);
      expect(titled.body.find((x) => x.id === notice)?.title).toBe('流动人口变动通报');
      for (const n of titled.body) {
        reads[yibin.code].push({ recordType: 'notice', recordId: n.id, purpose: READ_NOTICE });
      }
      const opened = await read<NoticeView>(yibin, `/notices/${notice}`, READ_NOTICE, {
        recordType: 'notice',
        recordIds: [notice],
      });
      expect(opened.title).toBe('流动人口变动通报');
      const ack = await send<NoticeView>(yibin, 'POST', `/notices/${notice}/acknowledge`);
      expect(ack.status).toBe(200);
      expect(ack.body.acknowledgedBy).toBe('test coordinator');
      documented.keep(yibin.url, 'GET /notices/{id}', { status: 200, body: opened });
      documented.keep(yibin.url, 'POST /notices/{id}/acknowledge', ack);
    });

    it('11. 惠州 updates the person’s phone and children; 宜宾 applies the update', async () => {
      const updated = await send<{ changed: string[]; messageId: string }>(
        huizhou,
        'PATCH',
        `/migrants/${firstStay}`,
        { body: { phone: newPhone, children: 2 } },
      );
      expect(updated.status).toBe(200);
      expect(updated.body.changed).toEqual(['phone', 'children']);
      // a receipt means the update was applied at 宜宾 (in the same transaction)
      await until('the receipt of the update', async () => {
        const row = await huizhou.db
          .getRepository(OutboxMessage)
          .findOneBy({ id: updated.body.messageId, answer: 'receipt' });
        return row ?? undefined;
      });
      const record = await read<MigrantView>(yibin, `/migrants/${firstStay}`, CHECK_RESIDENCE, {
        recordType: 'migrant',
        recordIds: [firstStay],
      });
      expect(record.person?.phone).toBe(newPhone);
      expect(record.children).toBe(2);
    });

    it('12. the person moves on to 深圳: expected there, registered there, and 宜宾 follows', async () => {
      const departed = await send<{ status: string; next: { node: string; notified: boolean } }>(
        huizhou,
        'POST',
        `/migrants/${firstStay}/departure`,
        { body: { leftOn: '2026-10-31', nextNode: SHENZHEN } },
      );
      expect(departed.status).toBe(200);
      expect(departed.body).toMatchObject({
        status: 'departed',
        next: { node: SHENZHEN, notified: true },
      });

      const expected = await until('深圳 expecting the person', async () =>
        (await migrants(shenzhen, 'expected')).find((r) => r.id === firstStay),
      );
      expect(expected.status).toBe('expected');
      const announced = await read<MigrantView>(
        shenzhen,
        `/migrants/${firstStay}`,
        CHECK_RESIDENCE,
        { recordType: 'migrant', recordIds: [firstStay] },
      );
      expect(announced.person).toMatchObject({ ...identity, phone: newPhone });

      const registered = await send<{ id: string; previousRecordId: string }>(
        shenzhen,
        'POST',
        '/migrants/arrivals',
        {
          body: arrivalOf(
            { ...person, phone: newPhone },
            { arrivedOn: '2026-11-02', address: '南山区科技园8号', children: 2 },
          ),
        },
      );
      expect(registered.status).toBe(201);
      expect(registered.body.previousRecordId).toBe(firstStay);
      secondStay = registered.body.id;
      expect((await migrants(shenzhen, 'expected')).find((r) => r.id === firstStay)).toMatchObject({
        status: 'arrived',
        arrivalRecordId: secondStay,
      });

      await until('宜宾 knowing both stays', async () => {
        const records = await migrants(yibin, 'outflow');
        const [first, second] = [firstStay, secondStay].map((id) =>
          records.find((r) => r.id === id),
        );
        return first?.status === 'departed' && second ? records : undefined;
      });
      const stays = (
        await read<{ items: MigrantView[] }>(
          yibin,
          `/migrants?idNumber=${person.idNumber}`,
          CHECK_RESIDENCE,
          { recordType: 'migrant', recordIds: [firstStay, secondStay] },
        )
      ).items;
      expect(
        stays.map((r) => [r.id, r.inflowNode, r.status, r.nextNode, r.previousRecordId]).sort(),
      ).toEqual(
        [
          [firstStay, HUIZHOU, 'departed', SHENZHEN, null],
          [secondStay, SHENZHEN, 'living-elsewhere', null, firstStay],
        ].sort(),
      );
    });

    it('13. 深圳 imports a campaign file (专项活动): the valid rows reach 宜宾, the bad rows are reported, a re-upload adds nothing', async () => {
      // 12 arrivals, every 4th row bad (bad check digit, impossible birth date, missing name)
      const file = syntheticCampaignFile(campaignRows, 12, 4);
      const before = (await migrants(yibin, 'outflow')).length;
      const upload = await uploadCsv(shenzhen, '2026-winter-clearance', file.csv);
      expect(upload.status).toBe(202);
      const done = await importSettles(shenzhen, upload.body.id);
      expect(done).toMatchObject({
        status: 'done',
        rowsRead: 12,
        rowsInvalid: 3,
        rowsCommitted: 9,
      });
      const report = await getJson<{ findings: { row: number; field: string; code: string }[] }>(
        shenzhen,
        `/imports/${upload.body.id}/report`,
      );
      expect(report.body.findings.map(({ row, field, code }) => ({ row, field, code }))).toEqual(
        file.findings,
      );
      await until('宜宾 holding the campaign arrivals', async () => {
        const records = await migrants(yibin, 'outflow');
        return records.length === before + 9 ? records : undefined;
      });
      const again = await uploadCsv(shenzhen, '2026-winter-clearance', file.csv);
      expect([again.status, again.body.id]).toEqual([200, upload.body.id]);
    });
  });

  describe('at the end of the story', () => {
    beforeAll(() => quiet(nodes));

    it('every message got exactly one receipt, and nothing was rejected', async () => {
      expect(await answerProblems(nodes)).toEqual([]);
      for (const node of nodes) {
        expect([node.code, await node.db.getRepository(RejectionRecord).count()]).toEqual([
          node.code,
          0,
        ]);
      }
      // and the story used every flow message of the catalogue
      const types = new Set<string>();
      for (const node of nodes) {
        for (const row of await node.db.getRepository(OutboxMessage).find()) types.add(row.type);
      }
      expect([...types].filter((t) => !t.startsWith('agreement.')).sort()).toEqual(
        [
          'benefit.entitlement',
          'certificate.issued',
          'certificate.verify.answered',
          'certificate.verify.requested',
          'migrant.arrival',
          'migrant.arrival.bulk',
          'migrant.departure',
          'migrant.updated',
          'notice',
          'receipt',
          'service.acknowledged',
          'service.delivered',
          'task.accepted',
          'task.cancelled',
          'task.completed',
          'task.progress',
          'task.rejected',
          'task.requested',
        ].sort(),
      );
    });

    it('each node’s access log holds exactly the reads the story made', async () => {
      for (const node of nodes) {
        // the story read personal data at every node: no log is trivially right
        expect([node.code, reads[node.code].length > 0]).toEqual([node.code, true]);
        const log = await send<AccessEntry[]>(node, 'GET', '/access-log?limit=1000', {
          role: 'admin',
        });
        expect(log.status).toBe(200);
        const key = (e: { recordType: string; recordId: string; purpose: string }) =>
          `${e.recordType} ${e.recordId} ${e.purpose}`;
        expect([node.code, log.body.map(key).sort()]).toEqual([
          node.code,
          reads[node.code].map(key).sort(),
        ]);
        expect(
          log.body.every((e) => e.role === 'coordinator' && e.label === 'test coordinator'),
        ).toBe(true);
      }
    });

    it('no node’s SQLite file holds the person’s ID number, name or phone in clear', () => {
      const secrets = [person.idNumber, person.name, person.phone, newPhone, certificate.number];
      for (const node of nodes) {
        const bytes = sqliteBytes(node);
        expect(bytes.length).toBeGreaterThan(0);
        const found = secrets.filter((s) => encodingsOf(s).some((e) => bytes.includes(e)));
        expect([node.code, found]).toEqual([node.code, []]);
      }
      // the search finds what is there: the readable provider of a service report
      expect(sqliteBytes(yibin).includes(Buffer.from('惠城区妇幼保健院'))).toBe(true);
    });
  });

  describe('bad input leaves no trace anywhere', () => {
    let before: Record<string, Record<string, string>>;
    const everything = async () => {
      const held: Record<string, Record<string, string>> = {};
      for (const node of nodes) held[node.code] = await holdings(node);
      return held;
    };
    beforeAll(async () => {
      await quiet(nodes);
      before = await everything();
    });

    const UNKNOWN_AGREEMENT = uuidv7();
    const badCheckDigit = people.badCheckDigit(YIBIN);
    const impossibleBirthDate = people.impossibleBirthDate(YIBIN);
    type Body = Record<string, unknown>;

    /**
     * A write the story made, with a body that would pass (so that a missing
     * guard shows as a change), and how to break it.
     */
    interface Write {
      route: string;
      node: () => TestNode;
      path: () => string;
      valid: () => Body;
      wrongTypes: Body;
      /** the valid body with another person's ID number */
      withIdNumber?: (idNumber: string) => Body;
      /** the body takes `agreementId` */
      agreement?: boolean;
      /** the same request from or to a node whose agreement does not cover its domain */
      outOfScope?: { node: () => TestNode; body: () => Body };
      wrongRole: Role;
    }
    /** A read of personal data the story made. */
    interface Read {
      route: string;
      node: () => TestNode;
      path: () => string;
      wrongRole: Role;
    }

    const HZ = () => huizhou;
    const SZ = () => shenzhen;
    const YB = () => yibin;
    const arrival = () => arrivalOf(people.person(YIBIN), { arrivedOn: '2026-11-01' });
    const issue = () => certificateFor(person, HUIZHOU);
    const verification = () => ({
      certificateNumber: certificate.number,
      idNumber: person.idNumber,
      to: YIBIN,
    });
    const taskRequest = () => ({
      to: YIBIN,
      kind: 'investigation',
      domain: 'information-exchange',
      subject: identity,
      instructions: '请核实',
    });
    const service = () => ({
      to: YIBIN,
      domain: 'maternal-care',
      serviceType: 'maternal-care',
      deliveredOn: chinaToday(),
      provider: '惠城区妇幼保健院',
      person: identity,
    });
    const grant = () => ({
      to: HUIZHOU,
      benefit: 'only-child-parents-reward',
      amount: '120.00',
      periodFrom: '2026-01-01',
      periodTo: '2026-12-31',
      person: identity,
      domain: 'contraception',
    });
    const noticeBody = () => ({
      to: YIBIN,
      category: 'person',
      domain: 'information-exchange',
      title: '通报',
      text: '请知悉',
    });
    const taskStep = (
      action: string,
      node: () => TestNode,
      id: () => string,
      valid: Body,
      wrongTypes: Body,
    ): Write => ({
      route: `POST /tasks/:id/${action}`,
      node,
      path: () => `/tasks/${id()}/${action}`,
      valid: () => valid,
      wrongTypes,
      wrongRole: 'auditor',
    });

    const writes: Write[] = [
      {
        route: 'POST /migrants/arrivals at 惠州',
        node: HZ,
        path: () => '/migrants/arrivals',
        valid: arrival,
        wrongTypes: { children: 'two', name: 7 },
        withIdNumber: (idNumber) => ({ ...arrival(), idNumber }),
        agreement: true,
        wrongRole: 'auditor',
      },
      {
        route: 'POST /migrants/arrivals at 深圳',
        node: SZ,
        path: () => '/migrants/arrivals',
        valid: arrival,
        wrongTypes: { arrivedOn: 20261101 },
        withIdNumber: (idNumber) => ({ ...arrival(), idNumber }),
        agreement: true,
        wrongRole: 'admin',
      },
      {
        route: 'POST /migrants/:id/departure',
        node: SZ,
        path: () => `/migrants/${secondStay}/departure`,
        valid: () => ({ leftOn: '2026-11-20' }),
        wrongTypes: { leftOn: 20261120, nextNode: 441300 },
        agreement: true,
        wrongRole: 'auditor',
      },
      {
        route: 'PATCH /migrants/:id',
        node: SZ,
        path: () => `/migrants/${secondStay}`,
        valid: () => ({ phone: '13700000000' }),
        wrongTypes: { children: '3' },
        agreement: true,
        wrongRole: 'auditor',
      },
      {
        route: 'POST /certificates',
        node: YB,
        path: () => '/certificates',
        valid: issue,
        wrongTypes: { children: 'two', maritalStatus: 5 },
        withIdNumber: (idNumber) => ({ ...issue(), holder: { ...identity, idNumber } }),
        agreement: true,
        outOfScope: { node: SZ, body: issue },
        wrongRole: 'auditor',
      },
      {
        route: 'POST /certificates/verifications',
        node: HZ,
        path: () => '/certificates/verifications',
        valid: verification,
        wrongTypes: { certificateNumber: 42 },
        withIdNumber: (idNumber) => ({ ...verification(), idNumber }),
        agreement: true,
        outOfScope: { node: SZ, body: () => ({ ...verification(), to: HUIZHOU }) },
        wrongRole: 'auditor',
      },
      {
        route: 'POST /certificates/verifications/:id/answer',
        node: YB,
        path: () => `/certificates/verifications/${staffVerification}/answer`,
        valid: () => ({ result: 'VALID' }),
        wrongTypes: { result: 5 },
        wrongRole: 'auditor',
      },
      {
        route: 'POST /tasks',
        node: HZ,
        path: () => '/tasks',
        valid: taskRequest,
        wrongTypes: { kind: 7, instructions: 42 },
        withIdNumber: (idNumber) => ({ ...taskRequest(), subject: { ...identity, idNumber } }),
        agreement: true,
        outOfScope: {
          node: HZ,
          body: () => ({ ...taskRequest(), to: SHENZHEN, domain: 'maternal-care' }),
        },
        wrongRole: 'auditor',
      },
      taskStep('accept', YB, () => investigation, { note: '已指派' }, { note: 5 }),
      taskStep('progress', YB, () => investigation, { note: '进展' }, { note: [] }),
      taskStep(
        'complete',
        YB,
        () => investigation,
        { outcome: 'done', report: 'x' },
        { outcome: 1 },
      ),
      taskStep('reject', YB, () => rejectedTask, { reason: 'other', detail: 'x' }, { detail: 5 }),
      taskStep('cancel', HZ, () => cancelledTask, { reason: 'other' }, { reason: true }),
      {
        route: 'POST /services',
        node: HZ,
        path: () => '/services',
        valid: service,
        wrongTypes: { domain: 7, person: 'someone' },
        withIdNumber: (idNumber) => ({ ...service(), person: { ...identity, idNumber } }),
        agreement: true,
        outOfScope: { node: HZ, body: () => ({ ...service(), to: SHENZHEN }) },
        wrongRole: 'admin',
      },
      {
        route: 'POST /services/:id/acknowledge',
        node: YB,
        path: () => `/services/${payment}/acknowledge`,
        valid: () => ({ remark: '已核' }),
        wrongTypes: { remark: 5 },
        wrongRole: 'auditor',
      },
      {
        route: 'POST /benefits/entitlements',
        node: YB,
        path: () => '/benefits/entitlements',
        valid: grant,
        wrongTypes: { amount: 120 },
        withIdNumber: (idNumber) => ({ ...grant(), person: { ...identity, idNumber } }),
        agreement: true,
        outOfScope: { node: HZ, body: () => ({ ...grant(), to: SHENZHEN }) },
        wrongRole: 'auditor',
      },
      {
        route: 'POST /notices',
        node: HZ,
        path: () => '/notices',
        valid: noticeBody,
        wrongTypes: { title: 5 },
        agreement: true,
        outOfScope: {
          node: HZ,
          body: () => ({ ...noticeBody(), to: SHENZHEN, domain: 'publicity' }),
        },
        wrongRole: 'auditor',
      },
    ];

    const personalReads: Read[] = [
      {
        route: 'GET /migrants/:id',
        node: YB,
        path: () => `/migrants/${firstStay}`,
        wrongRole: 'admin',
      },
      {
        route: 'GET /migrants?idNumber=',
        node: YB,
        path: () => `/migrants?idNumber=${person.idNumber}`,
        wrongRole: 'admin',
      },
      {
        route: 'GET /certificates/:id',
        node: HZ,
        path: () => `/certificates/${certificate.id}`,
        wrongRole: 'auditor',
      },
      {
        route: 'GET /certificates/verifications/queue?reveal=true',
        node: YB,
        path: () => '/certificates/verifications/queue?reveal=true',
        wrongRole: 'auditor',
      },
      {
        route: 'GET /tasks/:id?reveal=true',
        node: YB,
        path: () => `/tasks/${investigation}?reveal=true`,
        wrongRole: 'admin',
      },
      {
        route: 'GET /services/:id',
        node: YB,
        path: () => `/services/${maternalCare}`,
        wrongRole: 'auditor',
      },
      {
        route: 'GET /benefits/entitlements/:id',
        node: HZ,
        path: () => `/benefits/entitlements/${entitlement}`,
        wrongRole: 'auditor',
      },
      {
        route: 'GET /notices/:id',
        node: YB,
        path: () => `/notices/${notice}`,
        wrongRole: 'auditor',
      },
      {
        route: 'GET /notices?reveal=true',
        node: YB,
        path: () => '/notices?reveal=true',
        wrongRole: 'auditor',
      },
    ];

    interface Case {
      what: string;
      node: () => TestNode;
      method: 'GET' | 'POST' | 'PATCH';
      path: () => string;
      request: () => Request;
      status: number;
      code: string;
    }
    const cases: Case[] = [];
    for (const w of writes) {
      const method = w.route.startsWith('PATCH') ? 'PATCH' : 'POST';
      const bad = (what: string, request: () => Request, status: number, code: string) =>
        cases.push({
          what: `${w.route}: ${what}`,
          node: w.node,
          method,
          path: w.path,
          request,
          status,
          code,
        });
      bad('malformed JSON', () => ({ rawBody: '{"to": "511500",' }), 400, 'MALFORMED_JSON');
      bad(
        'wrong types',
        () => ({ body: { ...w.valid(), ...w.wrongTypes } }),
        400,
        'VALIDATION_FAILED',
      );
      bad(
        'an unknown field',
        () => ({ body: { ...w.valid(), religion: '无' } }),
        400,
        'UNKNOWN_FIELD',
      );
      const withIdNumber = w.withIdNumber;
      if (withIdNumber) {
        bad(
          'a bad check digit',
          () => ({ body: withIdNumber(badCheckDigit) }),
          400,
          'ID_NUMBER_CHECK_DIGIT',
        );
        bad(
          'an impossible birth date',
          () => ({ body: withIdNumber(impossibleBirthDate) }),
          400,
          'ID_NUMBER_BIRTH_DATE',
        );
      }
      if (w.agreement) {
        bad(
          'an unknown agreement',
          () => ({ body: { ...w.valid(), agreementId: UNKNOWN_AGREEMENT } }),
          422,
          'NO_AGREEMENT',
        );
      }
      const outOfScope = w.outOfScope;
      if (outOfScope) {
        cases.push({
          what: `${w.route}: out of scope (深圳⇄惠州 covers information exchange only)`,
          node: outOfScope.node,
          method,
          path: w.path,
          request: () => ({ body: outOfScope.body() }),
          status: 422,
          code: 'OUT_OF_SCOPE',
        });
      }
      bad(
        `the ${w.wrongRole} role`,
        () => ({ body: w.valid(), role: w.wrongRole }),
        403,
        'FORBIDDEN',
      );
      bad('no token', () => ({ body: w.valid(), role: null }), 401, 'UNAUTHENTICATED');
    }
    for (const r of personalReads) {
      const bad = (what: string, request: Request, status: number, code: string) =>
        cases.push({
          what: `${r.route}: ${what}`,
          node: r.node,
          method: 'GET',
          path: r.path,
          request: () => request,
          status,
          code,
        });
      bad('no purpose', {}, 400, 'PURPOSE_REQUIRED');
      bad(
        `the ${r.wrongRole} role`,
        { role: r.wrongRole, purpose: CHECK_RESIDENCE },
        403,
        'FORBIDDEN',
      );
      bad('no token', { role: null, purpose: CHECK_RESIDENCE }, 401, 'UNAUTHENTICATED');
    }
    const more: [
      string,
      () => TestNode,
      'GET' | 'POST',
      () => string,
      Request | (() => Request),
      number,
      string,
    ][] = [
      [
        'GET /migrants: bad check digit',
        YB,
        'GET',
        () => `/migrants?idNumber=${badCheckDigit}`,
        { purpose: CHECK_RESIDENCE },
        400,
        'ID_NUMBER_CHECK_DIGIT',
      ],
      [
        'GET /migrants: impossible birth date',
        YB,
        'GET',
        () => `/migrants?idNumber=${impossibleBirthDate}`,
        { purpose: CHECK_RESIDENCE },
        400,
        'ID_NUMBER_BIRTH_DATE',
      ],
      [
        'GET /migrants: wrong type',
        SZ,
        'GET',
        () => '/migrants?limit=many',
        {},
        400,
        'VALIDATION_FAILED',
      ],
      [
        'GET /migrants: unknown filter',
        HZ,
        'GET',
        () => '/migrants?religion=x',
        {},
        400,
        'UNKNOWN_FIELD',
      ],
      [
        'POST /migrants/arrivals: under another pair’s agreement',
        HZ,
        'POST',
        () => '/migrants/arrivals',
        () => ({ body: { ...arrival(), agreementId: shenzhenHuizhou } }),
        422,
        'NO_AGREEMENT',
      ],
      [
        'POST /notices/:id/acknowledge: the auditor role',
        YB,
        'POST',
        () => `/notices/${notice}/acknowledge`,
        { role: 'auditor' },
        403,
        'FORBIDDEN',
      ],
      [
        'POST /notices/:id/acknowledge: no token',
        YB,
        'POST',
        () => `/notices/${notice}/acknowledge`,
        { role: null },
        401,
        'UNAUTHENTICATED',
      ],
      [
        'GET /access-log: wrong type',
        HZ,
        'GET',
        () => '/access-log?limit=all',
        { role: 'admin' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'GET /access-log: unknown filter',
        SZ,
        'GET',
        () => '/access-log?idNumber=1',
        { role: 'admin' },
        400,
        'UNKNOWN_FIELD',
      ],
      [
        'GET /access-log: the coordinator role',
        YB,
        'GET',
        () => '/access-log',
        {},
        403,
        'FORBIDDEN',
      ],
      [
        'GET /access-log: no token',
        YB,
        'GET',
        () => '/access-log',
        { role: null },
        401,
        'UNAUTHENTICATED',
      ],
    ];
    for (const [what, node, method, path, request, status, code] of more) {
      const lazy = typeof request === 'function' ? request : () => request;
      cases.push({ what, node, method, path, request: lazy, status, code });
    }

    it.each(cases.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
      const res = await send<{ code?: string }>(c.node(), c.method, c.path(), c.request());
      expect({ status: res.status, code: res.body?.code }).toEqual({
        status: c.status,
        code: c.code,
      });
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).not.toMatch(/\d{17}[\dX]/);
      // nothing queued in any outbox, so nothing can reach a partner's inbox later either
      expect(await everything()).toEqual(before);
    });
  });
  describe('mutual evaluation of the story: node, coordinator and auditor agree', () => {
    let periodEnd: string;
    let asOf: string;
    const scores = new Map<string, PairScore>();
    const pairKey = (p: { evaluator: string; evaluated: string }) =>
      `${p.evaluator}→${p.evaluated}`;
    const window = () => new URLSearchParams({ start: periodStart, end: periodEnd, asOf });

    beforeAll(async () => {
      await quiet(nodes);
      const endMs = Math.ceil((Date.now() + 1) / 1000) * 1000;
      periodEnd = instant(endMs);
      await sleepUntil(endMs);
      // 宜宾's staff rate 惠州 for the period (indicator S), after it closed
      const rating = await api(yibin, 'POST', '/evaluation/ratings', {
        partner: HUIZHOU,
        periodStart,
        periodEnd,
        criteria: { responsiveness: 5, dataQuality: 4, cooperation: 5, serviceQuality: 4 },
        comment: '协作顺畅',
      });
      expect(rating.status).toBe(202);
      await quiet(nodes);
      const asOfMs = Math.ceil((Date.now() + 1) / 1000) * 1000;
      asOf = instant(asOfMs);
      await sleepUntil(asOfMs);
    });

    it('each node scores each partner exactly as that partner sees itself scored', async () => {
      for (const evaluator of nodes) {
        for (const evaluated of nodes.filter((n) => n !== evaluator)) {
          const q = window();
          q.set('direction', 'given');
          const given = await api<{ score: PairScore }>(
            evaluator,
            'GET',
            `/evaluation/scores/${evaluated.code}?${q.toString()}`,
          );
          q.set('direction', 'received');
          const received = await api<{ score: PairScore }>(
            evaluated,
            'GET',
            `/evaluation/scores/${evaluator.code}?${q.toString()}`,
          );
          expect([given.status, received.status]).toEqual([200, 200]);
          expect(received.body.score).toEqual(given.body.score);
          scores.set(pairKey(given.body.score), given.body.score);
        }
      }
      // the story's threads are all in the log: verifications, tasks, the rating
      const huizhouOnYibin = scores.get(`${HUIZHOU}→${YIBIN}`) as PairScore;
      expect(huizhouOnYibin.indicators.V.denominator).toBe(2);
      expect(huizhouOnYibin.indicators.T.denominator).toBeGreaterThanOrEqual(2);
      expect(huizhouOnYibin.indicators.R.numerator).toBe(huizhouOnYibin.indicators.R.denominator);
      const yibinOnHuizhou = scores.get(`${YIBIN}→${HUIZHOU}`) as PairScore;
      // (mean of 5 4 5 4 − 1) / 4 = 0.875
      expect(yibinOnHuizhou.indicators.S.x).toBe(0.875);
      expect(yibinOnHuizhou.score).not.toBe('n/a');
    });

    it("the coordinator's campaign scores every pair the same and ranks them", async () => {
      const created = await api<CampaignView>(net.coordinator, 'POST', '/campaigns', {
        name: '2026 年三市互评',
        periodStart,
        periodEnd,
        participants: [HUIZHOU, SHENZHEN, YIBIN],
      });
      expect(created.status).toBe(201);
      documented.keep(net.coordinator.url, 'POST /campaigns', created);
      const computed = await api<CampaignResult>(
        net.coordinator,
        'POST',
        `/campaigns/${created.body.id}/results`,
        { asOf },
      );
      expect(computed.status).toBe(201);
      documented.keep(net.coordinator.url, 'POST /campaigns/{id}/results', computed);
      const result = computed.body;
      // every pair as the nodes score it, with a digest in place of each indicator's ids
      expect(result.pairs).toHaveLength(6);
      for (const pair of result.pairs) {
        expect(pair).toEqual(publishedPair(scores.get(pairKey(pair)) as PairScore));
      }
      expect(result.ranking).toEqual(
        rankCampaign([HUIZHOU, SHENZHEN, YIBIN], [...scores.values()]),
      );
    });

    it('the auditor replays the log, finds nothing wrong, and recomputes the same figures', async () => {
      const reportDir = mkdtempSync(join(tmpdir(), 'yipanqi-scenario-audit-'));
      const stderr = new Collected();
      const code = await runAuditorCli(
        [
          'node',
          'auditor',
          'replay',
          '--brokers',
          kafkaSettingsFromEnv().brokers.join(','),
          '--kafka-credentials',
          net.coordinator.auditorCredentials,
          '--topic-prefix',
          net.topicPrefix,
          '--coordinator-key',
          net.coordinator.publicKey,
          '--period',
          `${periodStart}/${periodEnd}`,
          '--as-of',
          asOf,
          '--report-dir',
          reportDir,
          '--no-progress',
        ],
        { stdout: new Collected(), stderr, env: {} },
      );
      const report = JSON.parse(
        readFileSync(join(reportDir, 'report.json'), 'utf8'),
      ) as AuditReport;
      rmSync(reportDir, { recursive: true, force: true });
      expect(report.findings).toEqual([]);
      expect([code, stderr.text]).toEqual([0, '']);
      const pairs = report.scores?.pairs ?? [];
      expect(pairs).toHaveLength(6);
      for (const pair of pairs) expect(pair).toEqual(scores.get(pairKey(pair)));
      expect(report.campaigns).toEqual([expect.objectContaining({ status: 'agrees' })]);
    });
  });

  describe('the logs of the four apps, at debug, from their start to here', () => {
    let lines: LogLine[];
    beforeAll(async () => {
      await quiet(nodes);
      // one JSON object per line, or this throws
      lines = logs.parsed();
    });

    it('hold no ID number, name, phone or address the story used', () => {
      const secrets = [
        ...people.personalData(),
        ...campaignRows.personalData(),
        newPhone,
        '南山区科技园8号',
        certificate.number,
        '511500-2019-000123',
      ];
      // the story's person, the bad-input pass's people and the twelve campaign rows
      expect(secrets.length).toBeGreaterThan(50);
      expect(secretsIn(logs.raw, secrets)).toEqual([]);
    });

    it('are JSON lines of the four apps, with no colour codes and start-up detail at debug', () => {
      expect(logs.raw).not.toContain('\x1b');
      expect(new Set(lines.map((l) => l.app))).toEqual(new Set(['city-node', 'coordinator']));
      for (const line of lines) {
        expect(typeof line.level === 'string' && typeof line.time === 'string').toBe(true);
      }
      const mappings = lines.filter((l) => l.context === 'RouterExplorer');
      expect(mappings.length).toBeGreaterThan(3 * 60);
      expect(new Set(mappings.map((l) => l.level))).toEqual(new Set(['debug']));
      expect(lines.filter((l) => l.msg === 'listening').map((l) => l.node ?? l.app)).toEqual([
        'coordinator',
        HUIZHOU,
        SHENZHEN,
        YIBIN,
      ]);
    });

    it('hold one line per request: the route template and a request id, never the path', async () => {
      const requests = logs.parsed().filter((l) => typeof l.status === 'number');
      // as many lines as each app counted answers (its metrics, counted on the same event)
      for (const app of [...nodes, net.coordinator]) {
        const name = 'code' in app ? app.code : 'coordinator';
        const answered = (await (await fetch(`${app.url}/metrics`)).text())
          .split('\n')
          .filter((l) => l.startsWith('yipanqi_http_requests_total{'))
          .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
        const logged = requests.filter((r) => (r.node ?? r.app) === name).length;
        expect([name, logged]).toEqual([name, answered]);
      }
      expect(requests.length).toBeGreaterThan(200);
      for (const r of requests) {
        expect(Object.keys(r).sort()).toEqual(
          [
            'app',
            'durationMs',
            'level',
            'method',
            'msg',
            'requestId',
            'route',
            'status',
            'time',
            ...(r.app === 'city-node' ? ['node'] : []),
          ].sort(),
        );
      }
      // supertest sends no x-request-id: each request got an id of its own
      const ids = requests.map((r) => r.requestId);
      expect(ids.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(requests.length);
      const routes = new Set(requests.map((r) => `${String(r.node)} ${String(r.route)}`));
      for (const route of [
        `${HUIZHOU} /migrants/arrivals`,
        `${YIBIN} /migrants/:id`,
        // GET /migrants?idNumber=… (story step 12): the query string is not in the line
        `${YIBIN} /migrants`,
        `${SHENZHEN} /campaigns/:campaignId/imports`,
      ]) {
        expect(routes).toContain(route);
      }
      // no id, number or code of a record in any route, no query string
      const templates = new Set(requests.map((r) => String(r.route)));
      expect([...templates].filter((t) => /\d{4}|[0-9a-f]{8}-|\?/.test(t))).toEqual([]);
    });

    it('hold one line per message sent and one per message applied, with its ids', async () => {
      const exchange = lines.filter((l) => l.event === 'exchange');
      const key = (outcome: unknown, node: unknown, id: unknown) =>
        `${String(outcome)} ${String(node)} ${String(id)}`;
      const seen = new Map<string, LogLine[]>();
      for (const line of exchange) {
        const k = key(line.outcome, line.node, line.messageId);
        seen.set(k, [...(seen.get(k) ?? []), line]);
      }
      let messages = 0;
      for (const node of nodes) {
        for (const row of await node.db.getRepository(OutboxMessage).find()) {
          messages++;
          const fields = { messageId: row.id, type: row.type, from: node.code, to: row.peer };
          expect(seen.get(key('sent', node.code, row.id))).toEqual([
            expect.objectContaining({ ...fields, level: 'info', msg: 'exchange sent' }),
          ]);
          expect(seen.get(key('applied', row.peer, row.id))).toEqual([
            expect.objectContaining({ ...fields, level: 'info', msg: 'exchange applied' }),
          ]);
        }
      }
      expect(messages).toBeGreaterThan(50);
      // and nothing else happened to a message: no rejection, drop or dead letter
      expect(new Set(exchange.map((l) => l.outcome))).toEqual(new Set(['sent', 'applied']));
    });
  });

  describe('answers as each app’s OpenAPI document describes them', () => {
    /** A GET of every reading route that needs no purpose, on every app, with what it holds now. */
    const readings = async () => {
      const coordinator = net.coordinator;
      const [agreement] = (await api<{ id: string }[]>(huizhou, 'GET', '/agreements')).body;
      // the story so far, scored as of now
      const scored = new URLSearchParams({
        start: periodStart,
        end: instant(Date.now() - 1000),
      }).toString();
      const reads: [ReachableNode, string, string, Role?][] = [
        [coordinator, 'GET /health', '/health'],
        [coordinator, 'GET /health/ready', '/health/ready'],
        [coordinator, 'GET /directory/coordinator-key', '/directory/coordinator-key'],
        [coordinator, 'GET /nodes', '/nodes'],
        [coordinator, 'GET /nodes/{code}', `/nodes/${YIBIN}`],
        [coordinator, 'GET /registrations', '/registrations', 'admin'],
        [coordinator, 'GET /campaigns', '/campaigns'],
        [coordinator, 'GET /auth/tokens', '/auth/tokens', 'admin'],
        [huizhou, 'GET /agreements/{id}', `/agreements/${agreement.id}`],
        [huizhou, 'GET /agreements/{id}/verification', `/agreements/${agreement.id}/verification`],
        [huizhou, 'GET /evaluation/scores/{partner}', `/evaluation/scores/${YIBIN}?${scored}`],
      ];
      for (const node of nodes) {
        reads.push(
          [node, 'GET /health', '/health'],
          [node, 'GET /health/ready', '/health/ready'],
          [node, 'GET /migrants', '/migrants'],
          [node, 'GET /notices', '/notices'],
          [node, 'GET /notices', '/notices?direction=sent'],
          [node, 'GET /tasks', '/tasks'],
          [node, 'GET /tasks/overdue', '/tasks/overdue'],
          [node, 'GET /agreements', '/agreements'],
          [node, 'GET /evaluation/scores', `/evaluation/scores?${scored}`],
          [node, 'GET /evaluation/ratings', '/evaluation/ratings'],
          [node, 'GET /certificates', '/certificates?direction=issued'],
          [node, 'GET /certificates/verifications', '/certificates/verifications'],
          [node, 'GET /services', '/services'],
          [node, 'GET /benefits/entitlements', '/benefits/entitlements'],
          [node, 'GET /exchange/keys', '/exchange/keys', 'admin'],
          [node, 'GET /exchange/streams', '/exchange/streams', 'admin'],
          [node, 'GET /exchange/status', '/exchange/status', 'admin'],
          [node, 'GET /exchange/outbox', '/exchange/outbox', 'admin'],
          [node, 'GET /exchange/rejections', '/exchange/rejections', 'admin'],
          [node, 'GET /exchange/dead-letters', '/exchange/dead-letters', 'admin'],
          [node, 'GET /exchange/dropped', '/exchange/dropped', 'admin'],
          [node, 'GET /access-log', '/access-log', 'admin'],
          [node, 'GET /auth/tokens', '/auth/tokens', 'admin'],
        );
      }
      for (const [app, route, path, role] of reads) {
        documented.keep(app.url, route, await api(app, 'GET', path, undefined, role));
      }
      return reads.length;
    };

    it('the answers the story kept, and a GET of every reading route', async () => {
      expect(await readings()).toBeGreaterThan(70);
      expect(await documented.problems()).toEqual([]);
    });
  });
});

/** an instant on a whole second, as the APIs take it */
function instant(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

async function sleepUntil(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now()) + 50));
}

class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, next: () => void): void {
    this.text += chunk.toString();
    next();
  }
}
