/**
 * Tasks (协查 / 委托事项) between real city nodes over the real broker: the
 * whole thread as both sides see it, rejection, cancellation, overdue tasks,
 * due dates from the agreement, bad input on every endpoint (with nothing
 * changed on either node), and hand-made task messages that do not fit a
 * task's thread (signed rejections, nothing applied).
 */
import { In, IsNull, Not } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ANSWER_TYPES, Envelope } from '@yipanqi/contracts';
import { encryptPii } from '@yipanqi/crypto';
import { hasValidSignature, InboxMessage, OutboxMessage } from '@yipanqi/exchange';
import { PersonalDataAccess } from '../../apps/city-node/src/access-log/access-log.entity';
import { Task, TaskStep } from '../../apps/city-node/src/tasks/task.entities';
import { api, establishAgreement } from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { HandPartner, startHandPartner } from '../support/hand-partner';
import { PeopleGenerator } from '../support/synthetic-people';
import { establishAgreementWithTerms, taskBecomes, TaskView } from '../support/tasks';

const HUIZHOU = '441300'; // 惠州, inflow
const YIBIN = '511500'; // 宜宾, outflow
const SHENZHEN = '440300'; // 深圳: in the directory, driven by the test by hand

const HOUR = 3600_000;
const PURPOSE = encodeURIComponent('协查办理');

const people = new PeopleGenerator(20260301);

/** GET with a stated purpose: the way to read a task's personal data. */
async function reveal<T = TaskView>(
  node: TestNode,
  path: string,
  purpose: string | null = PURPOSE,
) {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${node.url}${path}${sep}reveal=true`, {
    headers: {
      authorization: `Bearer ${node.tokens.coordinator}`,
      ...(purpose ? { 'x-access-purpose': purpose } : {}),
    },
  });
  return { status: res.status, body: (await res.json()) as T };
}

const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

function investigation(extra: Record<string, unknown> = {}) {
  const person = people.person(YIBIN);
  return {
    to: YIBIN,
    kind: 'investigation',
    domain: 'information-exchange',
    subject: { idNumber: person.idNumber, name: person.name, phone: person.phone },
    instructions: `请核实${person.name}的户籍及婚育情况`,
    dueAt: inFuture(7 * 24 * HOUR),
    ...extra,
  };
}

type Problem = { code?: string; state?: string; detail?: string };

async function requestTask(from: TestNode, body: Record<string, unknown>): Promise<TaskView> {
  const res = await api<TaskView>(from, 'POST', '/tasks', body);
  if (res.status !== 202) throw new Error(`request → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const act = (node: TestNode, id: string, action: string, body: Record<string, unknown> = {}) =>
  api<TaskView & Problem>(node, 'POST', `/tasks/${id}/${action}`, body);

/** Every envelope of a task's thread that `node` sent, from its outbox. */
async function sentInThread(node: TestNode, taskId: string): Promise<Envelope[]> {
  const rows = await node.db.getRepository(OutboxMessage).find({ order: { position: 'ASC' } });
  return rows
    .map((r) => JSON.parse(r.envelope) as Envelope)
    .filter((e) => e.correlationId === taskId && e.type.startsWith('task.'));
}

/** The happy path, on whichever database the network runs. */
async function investigationThread(huizhou: TestNode, yibin: TestNode) {
  const body = investigation();
  const requested = await requestTask(huizhou, body);
  expect(requested).toMatchObject({
    box: 'outbox',
    requester: HUIZHOU,
    performer: YIBIN,
    kind: 'investigation',
    domain: 'information-exchange',
    state: 'requested',
    dueAt: new Date(Math.floor(Date.parse(body.dueAt) / 1000) * 1000)
      .toISOString()
      .replace('.000Z', 'Z'),
  });
  const taskId = requested.id;

  // on the wire: the readable fields evaluation needs, the person only encrypted
  const [request] = await sentInThread(huizhou, taskId);
  expect(request.type).toBe('task.requested');
  expect(Object.keys(request.payload).sort()).toEqual(['domain', 'dueAt', 'kind', 'pii']);
  expect(request.payload.dueAt).toBe(requested.dueAt);
  expect(JSON.stringify(request)).not.toContain(body.subject.idNumber);
  expect(JSON.stringify(request)).not.toContain(body.subject.name);

  const arrived = await taskBecomes(yibin, taskId, () => true, 'the request at Yibin');
  expect(arrived).toMatchObject({
    box: 'inbox',
    requester: HUIZHOU,
    performer: YIBIN,
    state: 'requested',
    dueAt: requested.dueAt,
  });
  expect(arrived.subject).toBeUndefined();
  const revealed = await reveal(yibin, `/tasks/${taskId}`);
  expect(revealed.status).toBe(200);
  expect(revealed.body.subject).toMatchObject(body.subject);
  expect(revealed.body.instructions).toBe(body.instructions);
  const logged = await yibin.db
    .getRepository(PersonalDataAccess)
    .find({ where: { recordType: 'task', recordId: taskId } });
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ purpose: '协查办理', role: 'coordinator' });

  expect((await act(yibin, taskId, 'accept', { note: '已指派专人办理' })).body.state).toBe(
    'accepted',
  );
  await taskBecomes(huizhou, taskId, (t) => t.state === 'accepted', 'the acceptance at Huizhou');

  expect((await act(yibin, taskId, 'progress', { note: '已联系社区' })).status).toBe(200);
  await taskBecomes(
    huizhou,
    taskId,
    (t) => t.history.some((s) => s.action === 'progress'),
    'the progress note at Huizhou',
  );

  const done = await act(yibin, taskId, 'complete', { outcome: 'done', report: '户籍属实' });
  expect(done.body.state).toBe('completed');
  await taskBecomes(huizhou, taskId, (t) => t.state === 'completed', 'the completion at Huizhou');

  // Huizhou's history: who did what when, broker times for Yibin's steps, every step delivered
  const atHuizhou = await taskBecomes(
    huizhou,
    taskId,
    (t) => t.history[0].delivery === 'receipted',
    'the receipt of the request',
  );
  expect(atHuizhou.history.map((s) => [s.action, s.by, s.direction, s.clock])).toEqual([
    ['request', HUIZHOU, 'sent', 'node'],
    ['accept', YIBIN, 'received', 'broker'],
    ['progress', YIBIN, 'received', 'broker'],
    ['complete', YIBIN, 'received', 'broker'],
  ]);
  expect(atHuizhou.history[0].staff).toBe('test coordinator');
  expect(atHuizhou.history[3].code).toBe('done');
  const times = atHuizhou.history.map((s) => Date.parse(s.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  const withNotes = await reveal(huizhou, `/tasks/${taskId}`);
  expect(withNotes.body.history.map((s) => s.note ?? s.report)).toEqual([
    undefined,
    '已指派专人办理',
    '已联系社区',
    '户籍属实',
  ]);

  // every answer names the task as correlationId and its request as causationId
  const answers = await sentInThread(yibin, taskId);
  expect(answers.map((e) => e.type)).toEqual(['task.accepted', 'task.progress', 'task.completed']);
  for (const e of answers) {
    expect(e.correlationId).toBe(taskId);
    expect(e.causationId).toBe(request.id);
    expect(e.agreementId).toBe(request.agreementId);
  }
  expect(answers[2].payload.outcome).toBe('done');
  return taskId;
}

describe('tasks between city nodes', () => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let yibin: TestNode;
  let agreementId: string;
  let feeAgreementId: string;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN, SHENZHEN]);
    [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    agreementId = await establishAgreement(huizhou, yibin, YIBIN, {
      role: 'inflow',
      scope: ['information-exchange', 'maternal-care', 'contraception'],
    });
    feeAgreementId = await establishAgreementWithTerms(huizhou, yibin, {
      partner: YIBIN,
      myRole: 'inflow',
      scope: ['fee-collection'],
      sla: { receiptHours: 24, responseHours: 120, taskHours: 48 },
      termStart: '2026-01-01',
      termEnd: '2036-01-01',
    });
  });

  afterAll(() => net.stop());

  it('carries a 协查 from request to completion, and Huizhou sees each step', async () => {
    const taskId = await investigationThread(huizhou, yibin);
    // nothing after a terminal state
    const late = await act(yibin, taskId, 'progress', { note: '补充' });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'TASK_STATE_CONFLICT', state: 'completed' });
  });

  it('ends a task the performer rejects, with the reason at both nodes', async () => {
    const task = await requestTask(huizhou, {
      to: YIBIN,
      kind: 'commission',
      domain: 'maternal-care',
      instructions: '请协助开展孕产期随访',
    });
    await taskBecomes(yibin, task.id, () => true, 'the request at Yibin');
    const rejected = await act(yibin, task.id, 'reject', {
      reason: 'not-our-remit',
      detail: '该事项不属本机构职责',
    });
    expect(rejected.body.state).toBe('rejected');
    const atHuizhou = await taskBecomes(
      huizhou,
      task.id,
      (t) => t.state === 'rejected',
      'the rejection at Huizhou',
    );
    expect(atHuizhou.history[1]).toMatchObject({ action: 'reject', code: 'not-our-remit' });
    expect((await reveal(huizhou, `/tasks/${task.id}`)).body.history[1].detail).toBe(
      '该事项不属本机构职责',
    );
    const listed = await reveal<TaskView[]>(huizhou, '/tasks?box=outbox&state=rejected');
    expect(listed.body.find((t) => t.id === task.id)?.instructions).toBe('请协助开展孕产期随访');
    const reads = await huizhou.db
      .getRepository(PersonalDataAccess)
      .count({ where: { recordType: 'task', recordId: task.id } });
    expect(reads).toBe(2);
    const accept = await act(yibin, task.id, 'accept');
    expect(accept.status).toBe(409);
    expect(accept.body).toMatchObject({ code: 'TASK_STATE_CONFLICT', state: 'rejected' });
  });

  it('lets only the requester cancel, and only while the task is open', async () => {
    const task = await requestTask(huizhou, investigation());
    await taskBecomes(yibin, task.id, () => true, 'the request at Yibin');
    await act(yibin, task.id, 'accept');
    await taskBecomes(huizhou, task.id, (t) => t.state === 'accepted', 'the acceptance');

    const byPerformer = await act(yibin, task.id, 'cancel', { reason: 'no-longer-needed' });
    expect(byPerformer.status).toBe(403);
    expect(byPerformer.body).toMatchObject({ code: 'TASK_NOT_YOURS', state: 'accepted' });
    const completedByRequester = await act(huizhou, task.id, 'complete', {
      outcome: 'done',
      report: 'x',
    });
    expect(completedByRequester.status).toBe(403);
    expect(completedByRequester.body.code).toBe('TASK_NOT_YOURS');

    const cancelled = await act(huizhou, task.id, 'cancel', {
      reason: 'person-moved',
      detail: '当事人已迁往他处',
    });
    expect(cancelled.body.state).toBe('cancelled');
    const atYibin = await taskBecomes(
      yibin,
      task.id,
      (t) => t.state === 'cancelled',
      'the cancellation at Yibin',
    );
    expect(atYibin.history.map((s) => s.action)).toEqual(['request', 'accept', 'cancel']);
    expect(atYibin.history[2]).toMatchObject({ by: HUIZHOU, code: 'person-moved' });
    expect((await act(yibin, task.id, 'complete', { outcome: 'done', report: 'x' })).status).toBe(
      409,
    );
    expect((await act(huizhou, task.id, 'cancel', { reason: 'other' })).status).toBe(409);
  });

  it('lists open tasks past their due date on both sides, and drops them once done', async () => {
    const task = await requestTask(huizhou, investigation({ dueAt: inFuture(10_000) }));
    await taskBecomes(yibin, task.id, () => true, 'the request at Yibin');
    const overdueIds = async (node: TestNode) =>
      (await api<(TaskView & { late: string })[]>(node, 'GET', '/tasks/overdue')).body
        .filter((t) => t.id === task.id)
        .map((t) => t.late);
    expect(await overdueIds(huizhou)).toEqual([]);

    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(task.dueAt) - Date.now() + 1000)),
    );
    expect(await overdueIds(huizhou)).toEqual(['partner']);
    expect(await overdueIds(yibin)).toEqual(['us']);
    const listed = await api<TaskView[]>(yibin, 'GET', '/tasks?box=inbox&state=requested');
    expect(listed.body.find((t) => t.id === task.id)?.overdue).toBe(true);
    const outbox = await api<TaskView[]>(yibin, 'GET', '/tasks?box=outbox');
    expect(outbox.body.some((t) => t.id === task.id)).toBe(false);

    await act(yibin, task.id, 'accept');
    await act(yibin, task.id, 'complete', { outcome: 'person-not-found', report: '查无此人' });
    expect(await overdueIds(yibin)).toEqual([]);
    await taskBecomes(huizhou, task.id, (t) => t.state === 'completed', 'the late completion');
    expect(await overdueIds(huizhou)).toEqual([]);
  });

  it('sets the due date from the agreement’s task SLA when none is given', async () => {
    const before = Date.now();
    const fee = await requestTask(huizhou, {
      to: YIBIN,
      kind: 'commission',
      domain: 'fee-collection',
      instructions: '请协助送达缴费通知',
    });
    const main = await requestTask(huizhou, { ...investigation(), dueAt: undefined });
    const after = Date.now();
    expect(fee.agreementId).toBe(feeAgreementId);
    expect(main.agreementId).toBe(agreementId);
    const within = (dueAt: string, hours: number) => {
      const ms = Date.parse(dueAt);
      expect(dueAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(ms).toBeGreaterThanOrEqual(Math.floor((before + hours * HOUR) / 1000) * 1000);
      expect(ms).toBeLessThanOrEqual(after + hours * HOUR);
    };
    within(fee.dueAt, 48);
    within(main.dueAt, 360);
    const atYibin = await taskBecomes(yibin, fee.id, () => true, 'the fee task at Yibin');
    expect(atYibin.dueAt).toBe(fee.dueAt);
  });

  describe('bad input', () => {
    let openTask: string;

    beforeAll(async () => {
      openTask = (await requestTask(huizhou, investigation())).id;
      await taskBecomes(yibin, openTask, () => true, 'the open task at Yibin');
      // quiet streams: every message answered, so no late receipt lands during a comparison
      const unanswered = (node: TestNode) =>
        node.db
          .getRepository(OutboxMessage)
          .count({ where: { answer: IsNull(), type: Not(In([...ANSWER_TYPES])) } });
      await eventually(
        async () => (await unanswered(huizhou)) + (await unanswered(yibin)) === 0,
        60000,
        'every message answered',
      );
    });

    /** What either node holds that a refused request could change. */
    const snapshot = async () => {
      const counts = async (node: TestNode) => ({
        tasks: await node.db.getRepository(Task).count(),
        steps: await node.db.getRepository(TaskStep).count(),
        outbox: await node.db.getRepository(OutboxMessage).count(),
        inbox: await node.db.getRepository(InboxMessage).count(),
        reads: await node.db.getRepository(PersonalDataAccess).count(),
        open: (await node.db.getRepository(Task).findOneByOrFail({ id: openTask })).state,
      });
      return { huizhou: await counts(huizhou), yibin: await counts(yibin) };
    };

    const raw = async (
      node: TestNode,
      method: string,
      path: string,
      body: string | undefined,
      token: string | null = node.tokens.coordinator,
    ) => {
      const res = await fetch(`${node.url}${path.replace('{open}', openTask)}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
      });
      return { status: res.status, body: (await res.json()) as Problem };
    };

    const valid = () => investigation();
    const badCases: [string, () => Promise<{ status: number; body: Problem }>, number, string][] =
      [];
    const post =
      (path: string, body: unknown, node: () => TestNode = () => huizhou) =>
      () =>
        raw(node(), 'POST', path, JSON.stringify(body));
    const on = (action: string) => `/tasks/{open}/${action}`;

    // POST /tasks
    badCases.push(
      [
        'malformed JSON',
        () => raw(huizhou, 'POST', '/tasks', '{"to": "511500",'),
        400,
        'MALFORMED_JSON',
      ],
      [
        'wrong types',
        post('/tasks', { ...valid(), kind: 7, instructions: 42 }),
        400,
        'VALIDATION_FAILED',
      ],
      ['an unknown field', post('/tasks', { ...valid(), priority: 'high' }), 400, 'UNKNOWN_FIELD'],
      [
        'a bad check digit in the subject',
        post('/tasks', { ...valid(), subject: { idNumber: people.badCheckDigit(), name: '王伟' } }),
        400,
        'ID_NUMBER_CHECK_DIGIT',
      ],
      [
        'an impossible birth date in the subject',
        post('/tasks', {
          ...valid(),
          subject: { idNumber: people.impossibleBirthDate(), name: '王伟' },
        }),
        400,
        'ID_NUMBER_BIRTH_DATE',
      ],
      ['an unknown kind', post('/tasks', { ...valid(), kind: 'errand' }), 400, 'VALIDATION_FAILED'],
      [
        'a due date without offset',
        post('/tasks', { ...valid(), dueAt: '2036-03-01T10:00:00' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an impossible due date',
        post('/tasks', { ...valid(), dueAt: '2036-02-30T10:00:00+08:00' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a due date in the past',
        post('/tasks', { ...valid(), dueAt: '2026-01-02T00:00:00Z' }),
        422,
        'DUE_DATE_PAST',
      ],
      [
        'an unknown agreement',
        post('/tasks', { ...valid(), agreementId: uuidv7() }),
        422,
        'NO_AGREEMENT',
      ],
      [
        'an out-of-scope domain',
        post('/tasks', { ...valid(), domain: 'publicity' }),
        422,
        'OUT_OF_SCOPE',
      ],
      ['an unknown partner', post('/tasks', { ...valid(), to: '110100' }), 422, 'UNKNOWN_PARTNER'],
      [
        'an auditor requesting',
        () => raw(huizhou, 'POST', '/tasks', JSON.stringify(valid()), huizhou.tokens.auditor),
        403,
        'FORBIDDEN',
      ],
      [
        'a request without a token',
        () => raw(huizhou, 'POST', '/tasks', JSON.stringify(valid()), null),
        401,
        'UNAUTHENTICATED',
      ],
    );
    // the staff steps, on a task Yibin was asked to do and has not accepted
    badCases.push(
      [
        'malformed JSON on accept',
        () => raw(yibin, 'POST', `/tasks/${openTask}/accept`, '{"note":'),
        400,
        'MALFORMED_JSON',
      ],
      [
        'a wrong type on accept',
        post(on('accept'), { note: 5 }, () => yibin),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown field on accept',
        post(on('accept'), { by: 'x' }, () => yibin),
        400,
        'UNKNOWN_FIELD',
      ],
      ['the requester accepting', post(on('accept'), {}), 403, 'TASK_NOT_YOURS'],
      [
        'an auditor accepting',
        () => raw(yibin, 'POST', `/tasks/${openTask}/accept`, '{}', yibin.tokens.auditor),
        403,
        'FORBIDDEN',
      ],
      [
        'accepting without a token',
        () => raw(yibin, 'POST', `/tasks/${openTask}/accept`, '{}', null),
        401,
        'UNAUTHENTICATED',
      ],
      [
        'accepting an unknown task',
        () => raw(yibin, 'POST', `/tasks/${uuidv7()}/accept`, '{}'),
        404,
        'TASK_NOT_FOUND',
      ],
      [
        'a task id that is not a UUID',
        () => raw(yibin, 'POST', '/tasks/42/accept', '{}'),
        400,
        'BAD_REQUEST',
      ],
      [
        'an unknown rejection reason',
        post(on('reject'), { reason: 'busy', detail: 'x' }, () => yibin),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a rejection without detail',
        post(on('reject'), { reason: 'other' }, () => yibin),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'malformed JSON on reject',
        () => raw(yibin, 'POST', `/tasks/${openTask}/reject`, '[{'),
        400,
        'MALFORMED_JSON',
      ],
      [
        'the requester rejecting',
        post(on('reject'), { reason: 'other', detail: 'x' }),
        403,
        'TASK_NOT_YOURS',
      ],
      [
        'progress before acceptance',
        post(on('progress'), { note: '进展' }, () => yibin),
        409,
        'TASK_STATE_CONFLICT',
      ],
      [
        'an empty progress note',
        post(on('progress'), { note: '' }, () => yibin),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown field on progress',
        post(on('progress'), { note: 'x', at: 1 }, () => yibin),
        400,
        'UNKNOWN_FIELD',
      ],
      [
        'completing before acceptance',
        post(on('complete'), { outcome: 'done', report: 'x' }, () => yibin),
        409,
        'TASK_STATE_CONFLICT',
      ],
      [
        'an unknown outcome',
        post(on('complete'), { outcome: 'great', report: 'x' }, () => yibin),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'malformed JSON on complete',
        () => raw(yibin, 'POST', `/tasks/${openTask}/complete`, 'done'),
        400,
        'MALFORMED_JSON',
      ],
      [
        'the performer cancelling',
        post(on('cancel'), { reason: 'other' }, () => yibin),
        403,
        'TASK_NOT_YOURS',
      ],
      [
        'an unknown cancellation reason',
        post(on('cancel'), { reason: 'bored' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown field on cancel',
        post(on('cancel'), { reason: 'other', force: true }),
        400,
        'UNKNOWN_FIELD',
      ],
      [
        'an auditor cancelling',
        () =>
          raw(
            huizhou,
            'POST',
            `/tasks/${openTask}/cancel`,
            '{"reason":"other"}',
            huizhou.tokens.auditor,
          ),
        403,
        'FORBIDDEN',
      ],
    );
    // the views
    badCases.push(
      [
        'an unknown box',
        () => raw(huizhou, 'GET', '/tasks?box=sideways', undefined),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown list filter',
        () => raw(huizhou, 'GET', '/tasks?idNumber=1', undefined),
        400,
        'UNKNOWN_FIELD',
      ],
      [
        'revealing a list without a purpose',
        () => reveal(huizhou, '/tasks', null),
        400,
        'PURPOSE_REQUIRED',
      ],
      [
        'revealing a task without a purpose',
        () => reveal(huizhou, `/tasks/${openTask}`, null),
        400,
        'PURPOSE_REQUIRED',
      ],
      [
        'a too short purpose',
        () => reveal(huizhou, `/tasks/${openTask}`, 'ok'),
        400,
        'PURPOSE_REQUIRED',
      ],
      [
        'reading an unknown task',
        () => raw(huizhou, 'GET', `/tasks/${uuidv7()}`, undefined),
        404,
        'TASK_NOT_FOUND',
      ],
      [
        'an admin reading tasks',
        () => raw(huizhou, 'GET', '/tasks', undefined, huizhou.tokens.admin),
        403,
        'FORBIDDEN',
      ],
      [
        'the overdue list without a token',
        () => raw(huizhou, 'GET', '/tasks/overdue', undefined, null),
        401,
        'UNAUTHENTICATED',
      ],
    );

    it.each(badCases)(
      'refuses %s with a specific code and changes nothing',
      async (_what, call, status, code) => {
        const before = await snapshot();
        const res = await call();
        expect(res.status).toBe(status);
        expect(res.body.code).toBe(code);
        if (code === 'TASK_STATE_CONFLICT' || code === 'TASK_NOT_YOURS') {
          expect(res.body.state).toBe('requested');
        }
        expect(JSON.stringify(res.body)).not.toMatch(/\d{17}[\dX]/);
        // give a wrongly queued message time to reach the partner before comparing
        await new Promise((r) => setTimeout(r, 300));
        expect(await snapshot()).toEqual(before);
      },
    );
  });

  describe('task messages that do not fit the thread', () => {
    let hand: HandPartner;

    beforeAll(async () => {
      hand = await startHandPartner(net, SHENZHEN, yibin, ['information-exchange']);
    });
    afterAll(() => hand.stop());

    const pii = (value: unknown) => encryptPii(value, net.keys[YIBIN].encryption.publicKey);

    /** Yibin's signed answer to a hand-made envelope. */
    const answerTo = async (sent: Envelope) => {
      const answer = await hand.arrival(
        (e) => (e.type === 'receipt' || e.type === 'rejection') && e.payload.messageId === sent.id,
        `Yibin's answer to ${sent.type}`,
      );
      expect(hasValidSignature(answer, net.keys[YIBIN].signing.publicKey)).toBe(true);
      return answer;
    };

    const expectRefused = async (sent: Envelope, detail: RegExp) => {
      const answer = await answerTo(sent);
      expect(answer.type).toBe('rejection');
      expect(answer.payload.reason).toBe('SCHEMA_INVALID');
      expect(answer.payload.detail).toMatch(detail);
    };

    const counts = async () => ({
      tasks: await yibin.db.getRepository(Task).count(),
      steps: await yibin.db.getRepository(TaskStep).count(),
    });

    /** A task Yibin asks of the hand-driven Shenzhen, and its request as Shenzhen received it. */
    const taskOfShenzhen = async () => {
      const task = await requestTask(yibin, {
        to: SHENZHEN,
        kind: 'investigation',
        domain: 'information-exchange',
        instructions: '请核实当事人现居住地',
      });
      const request = await hand.arrival(
        (e) => e.type === 'task.requested' && e.correlationId === task.id,
        'the request at Shenzhen',
      );
      return { task, thread: { correlationId: task.id, causationId: request.id } };
    };

    it('rejects, signed, a completion of a task Yibin does not have, and applies nothing', async () => {
      const before = await counts();
      const sent = await hand.send(
        'task.completed',
        { outcome: 'done', pii: await pii({ report: '已办结' }) },
        { correlationId: uuidv7(), causationId: uuidv7() },
      );
      await expectRefused(sent, /does not have/);
      expect(await counts()).toEqual(before);
    });

    it('rejects steps out of turn or from the wrong side, then applies one that fits', async () => {
      const { task, thread } = await taskOfShenzhen();
      const before = await counts();
      const refusals: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
        [
          'task.completed',
          { outcome: 'done', pii: await pii({ report: '已办结' }) },
          thread,
          /cannot complete a task that is requested/,
        ],
        [
          'task.cancelled',
          { reason: 'other', pii: await pii({}) },
          thread,
          /only the requester may cancel/,
        ],
        [
          'task.accepted',
          { pii: await pii({}) },
          { ...thread, causationId: uuidv7() },
          /causationId must be the task's request/,
        ],
        ['task.accepted', { pii: await pii({}) }, { ...thread, correlationId: null }, /none/],
      ];
      for (const [type, payload, over, detail] of refusals) {
        await expectRefused(await hand.send(type, payload, over), detail);
      }
      expect(await counts()).toEqual(before);
      expect((await api<TaskView>(yibin, 'GET', `/tasks/${task.id}`)).body.state).toBe('requested');

      const accepted = await hand.send(
        'task.accepted',
        { pii: await pii({ note: '已受理' }) },
        thread,
      );
      expect((await answerTo(accepted)).type).toBe('receipt');
      const view = await taskBecomes(
        yibin,
        task.id,
        (t) => t.state === 'accepted',
        'the acceptance',
      );
      expect(view.history[1]).toMatchObject({ action: 'accept', by: SHENZHEN, clock: 'broker' });
    });

    it('settles a cancellation crossing a completion by the earlier message, as the partner does', async () => {
      // Shenzhen completed before Yibin's cancellation reached it: its completion stands
      const first = await taskOfShenzhen();
      await answerTo(await hand.send('task.accepted', { pii: await pii({}) }, first.thread));
      await taskBecomes(yibin, first.task.id, (t) => t.state === 'accepted', 'the acceptance');
      const completionMadeEarlier = uuidv7();
      expect(
        (await act(yibin, first.task.id, 'cancel', { reason: 'no-longer-needed' })).body.state,
      ).toBe('cancelled');
      const completed = await hand.send(
        'task.completed',
        { outcome: 'done', pii: await pii({ report: '已办结' }) },
        { ...first.thread, id: completionMadeEarlier },
      );
      expect((await answerTo(completed)).type).toBe('receipt');
      const settled = await taskBecomes(
        yibin,
        first.task.id,
        (t) => t.state === 'completed',
        'the completion',
      );
      expect(settled.history.find((s) => s.action === 'cancel')?.void).toMatch(
        /cannot cancel a task that is completed/,
      );

      // Shenzhen completed after the cancellation was made: the cancellation stands
      const second = await taskOfShenzhen();
      await answerTo(await hand.send('task.accepted', { pii: await pii({}) }, second.thread));
      await taskBecomes(yibin, second.task.id, (t) => t.state === 'accepted', 'the acceptance');
      await act(yibin, second.task.id, 'cancel', { reason: 'no-longer-needed' });
      const tooLate = await hand.send(
        'task.completed',
        { outcome: 'done', pii: await pii({ report: '已办结' }) },
        second.thread,
      );
      await expectRefused(tooLate, /cannot complete a task that is cancelled/);
      expect((await api<TaskView>(yibin, 'GET', `/tasks/${second.task.id}`)).body.state).toBe(
        'cancelled',
      );
    });

    it('rejects a request already due at the broker, without a task id, or for a known task', async () => {
      const request = async (dueAt: string) => ({
        kind: 'commission',
        domain: 'information-exchange',
        dueAt,
        pii: await pii({ instructions: '请协助' }),
      });
      const before = await counts();
      await expectRefused(
        await hand.send('task.requested', await request('2026-01-02T00:00:00Z'), {
          correlationId: uuidv7(),
        }),
        /is not after the request's broker time/,
      );
      await expectRefused(
        await hand.send('task.requested', await request('2036-01-02T00:00:00Z')),
        /correlationId/,
      );
      expect(await counts()).toEqual(before);

      const taskId = uuidv7();
      const fine = await hand.send('task.requested', await request('2036-01-02T00:00:00Z'), {
        correlationId: taskId,
      });
      expect((await answerTo(fine)).type).toBe('receipt');
      const arrived = await taskBecomes(yibin, taskId, () => true, 'the hand-made request');
      expect(arrived).toMatchObject({
        box: 'inbox',
        requester: SHENZHEN,
        dueAt: '2036-01-02T00:00:00Z',
      });
      await expectRefused(
        await hand.send('task.requested', await request('2036-01-02T00:00:00Z'), {
          correlationId: taskId,
        }),
        /already exists/,
      );
    });
  });
});

describe('tasks on PostgreSQL', () => {
  let net: TestNetwork;

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN], 'postgres');
    await establishAgreement(net.nodes[HUIZHOU], net.nodes[YIBIN], YIBIN, {
      role: 'inflow',
      scope: ['information-exchange'],
    });
  });
  afterAll(() => net.stop());

  it('carries a 协查 from request to completion, and Huizhou sees each step', async () => {
    await investigationThread(net.nodes[HUIZHOU], net.nodes[YIBIN]);
  });
});
