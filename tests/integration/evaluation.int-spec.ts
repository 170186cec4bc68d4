/**
 * Mutual evaluation (互评) between real city nodes over the real broker:
 * 惠州 and 宜宾 exchange notices both ways and a task under an agreement with
 * its own SLA and weights, 惠州 rates 宜宾, and each node scores the pair from
 * its own database. Both must publish the same numbers and ids crosswise,
 * and the same as scorePair on the log itself (both nodes' inboxes: every
 * record that entered a stream). A hand-driven third node sends a rating the
 * schema refuses. Bad requests change nothing on either node.
 */
import request from 'supertest';
import { Envelope } from '@yipanqi/contracts';
import { LogRecord, logRecord, PairScore, scorePair } from '@yipanqi/evaluation';
import { scoringLog } from '@yipanqi/exchange-log';
import { InboxMessage, OutboxMessage } from '@yipanqi/exchange';
import type { Role } from '@yipanqi/http-api';
import { EvaluationRating } from '../../apps/city-node/src/evaluation/rating.entity';
import { api } from '../support/agreements';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { PeopleGenerator } from '../support/synthetic-people';
import { startHandPartner } from '../support/hand-partner';
import { establishAgreementWithTerms, taskBecomes } from '../support/tasks';

const HUIZHOU = '441300'; // 惠州, inflow
const YIBIN = '511500'; // 宜宾, outflow
const SHENZHEN = '440300'; // 深圳: in the directory, driven by the test by hand

const SLA = { receiptHours: 12, responseHours: 48, taskHours: 200 };
const WEIGHTS = { R: 30, V: 10, T: 20, Q: 20, S: 20 };
/** mean 4: S = (4 − 1) / 4 = 0.75 */
const CRITERIA = { responsiveness: 5, dataQuality: 4, cooperation: 4, serviceQuality: 3 };

interface IndicatorSummary {
  weight: number;
  items: number;
  numerator: number;
  denominator: number;
  x: number | 'n/a';
  pending: number;
}

interface PairSummary {
  evaluator: string;
  evaluated: string;
  score: number | 'n/a';
  items: number;
  indicators: Record<'R' | 'V' | 'T' | 'Q' | 'S', IndicatorSummary>;
}

interface ScoresView {
  node: string;
  period: { start: string; end: string };
  asOf: string;
  partners: {
    partner: string;
    weights: { weights: typeof WEIGHTS; agreementId: string | null; version: number | null };
    given: PairSummary;
    received: PairSummary;
    unpublished: number;
  }[];
}

interface PartnerScoreView {
  direction: 'given' | 'received';
  weights: ScoresView['partners'][number]['weights'];
  unpublished: string[];
  score: PairScore;
}

interface RatingView {
  id: string;
  partner: string;
  periodStart: string;
  periodEnd: string;
  criteria: typeof CRITERIA;
  comment: string | null;
  delivery: { state: string } | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next whole second after now, once it has passed: a period bound every message is on one side of. */
async function nextSecond(): Promise<string> {
  const at = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await sleep(at - Date.now() + 5);
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** The log of the exchange as it stands in the nodes' inboxes, pii stripped: what Kafka holds. */
async function inboxLog(...nodes: TestNode[]): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for (const node of nodes) {
    for (const row of await node.db.getRepository(InboxMessage).find()) {
      records.push(logRecord(JSON.parse(row.envelope) as Envelope, row.brokerTime));
    }
  }
  return records;
}

/** Every flow message a node sent has its receipt or rejection. */
async function allAnswered(node: TestNode): Promise<boolean> {
  const rows = await node.db.getRepository(OutboxMessage).find();
  return rows.every((r) => r.type === 'receipt' || r.type === 'rejection' || r.answer !== null);
}

describe.each(['sqlite', 'postgres'] as const)('mutual evaluation on %s', (database) => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let yibin: TestNode;
  let agreementId: string;
  let start: string;
  let end: string;
  let asOf: string;
  let ratingId: string;
  const people = new PeopleGenerator(20261130);

  const scores = (node: TestNode, params: Record<string, string> = { start, end, asOf }) =>
    api<ScoresView>(node, 'GET', `/evaluation/scores?${query(params)}`);
  const partnerScore = (node: TestNode, partner: string, direction: 'given' | 'received') =>
    api<PartnerScoreView>(
      node,
      'GET',
      `/evaluation/scores/${partner}?${query({ start, end, asOf, direction })}`,
    );

  const notice = (from: TestNode, to: string, title: string) =>
    api(from, 'POST', '/notices', {
      to,
      category: 'campaign',
      domain: 'publicity',
      title,
      text: '流动人口服务月活动安排',
    });

  beforeAll(async () => {
    net = await startTestNetwork([HUIZHOU, YIBIN], [HUIZHOU, YIBIN, SHENZHEN], database);
    [huizhou, yibin] = [net.nodes[HUIZHOU], net.nodes[YIBIN]];
    agreementId = await establishAgreementWithTerms(huizhou, yibin, {
      partner: YIBIN,
      myRole: 'inflow',
      scope: ['information-exchange', 'publicity'],
      termStart: '2026-01-01',
      termEnd: '2036-01-01',
      sla: SLA,
      weights: WEIGHTS,
    });

    // the period holds the flows, not the agreement's own messages
    start = await nextSecond();
    for (const title of ['三月宣传', '四月宣传', '五月宣传']) {
      expect((await notice(huizhou, YIBIN, title)).status).toBe(202);
    }
    for (const title of ['户籍地宣传', '返乡服务']) {
      expect((await notice(yibin, HUIZHOU, title)).status).toBe(202);
    }
    const person = people.person(YIBIN);
    const task = await api<{ id: string }>(huizhou, 'POST', '/tasks', {
      to: YIBIN,
      kind: 'investigation',
      domain: 'information-exchange',
      subject: { idNumber: person.idNumber, name: person.name },
      instructions: '请核实户籍情况',
    });
    expect(task.status).toBe(202);
    await taskBecomes(yibin, task.body.id, () => true, 'the task at Yibin');
    expect((await api(yibin, 'POST', `/tasks/${task.body.id}/accept`, {})).status).toBe(200);
    const done = await api(yibin, 'POST', `/tasks/${task.body.id}/complete`, {
      outcome: 'done',
      report: '户籍属实',
    });
    expect(done.status).toBe(200);
    await taskBecomes(huizhou, task.body.id, (t) => t.state === 'completed', 'the completion');
    await eventually(
      async () => (await allAnswered(huizhou)) && (await allAnswered(yibin)),
      60000,
      'every flow message answered',
    );
    end = await nextSecond();

    // rated after the period: the rating is no message of the period itself
    const rated = await api<RatingView>(huizhou, 'POST', '/evaluation/ratings', {
      partner: YIBIN,
      periodStart: start,
      periodEnd: end,
      criteria: CRITERIA,
      comment: '配合积极，信息及时',
    });
    expect(rated.status).toBe(202);
    ratingId = rated.body.id;
    await eventually(
      async () =>
        (await api<RatingView[]>(huizhou, 'GET', '/evaluation/ratings')).body[0]?.delivery
          ?.state === 'receipt',
      60000,
      'the receipt of the rating',
    );
    asOf = new Date().toISOString();
  });

  afterAll(async () => {
    await net?.stop();
  });

  it('gives the same figures on both nodes, crosswise', async () => {
    const [atHuizhou, atYibin] = [await scores(huizhou), await scores(yibin)];
    expect(atHuizhou.status).toBe(200);
    expect(atYibin.status).toBe(200);
    expect(atHuizhou.body.period).toEqual({
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    });
    expect(atHuizhou.body.asOf).toBe(asOf);
    const [yibinSeen] = atHuizhou.body.partners;
    const [huizhouSeen] = atYibin.body.partners;
    expect(atHuizhou.body.partners.map((p) => p.partner)).toEqual([YIBIN]);
    expect(atYibin.body.partners.map((p) => p.partner)).toEqual([HUIZHOU]);

    expect(yibinSeen.given).toEqual(huizhouSeen.received);
    expect(yibinSeen.received).toEqual(huizhouSeen.given);
    const terms = { weights: WEIGHTS, agreementId, version: 1 };
    expect(yibinSeen.weights).toEqual(terms);
    expect(huizhouSeen.weights).toEqual(terms);
    expect(yibinSeen.unpublished).toBe(0);

    // 惠州 → 宜宾: R 4/4 (three notices and the task), T 1/1, Q 4/4, S 0.75, V n/a
    // = 100 × (30 + 20 + 20 + 20 × 0.75) / 90 = 94.44
    expect(yibinSeen.given).toMatchObject({
      evaluator: HUIZHOU,
      evaluated: YIBIN,
      score: 94.44,
      items: 10,
      indicators: {
        R: { weight: 30, items: 4, numerator: 4, denominator: 4, x: 1, pending: 0 },
        V: { weight: 10, items: 0, x: 'n/a' },
        T: { weight: 20, items: 1, numerator: 1, denominator: 1, x: 1 },
        Q: { weight: 20, items: 4, numerator: 4, denominator: 4, x: 1 },
        S: { weight: 20, items: 1, numerator: 12, denominator: 16, x: 0.75 },
      },
    });
    // 宜宾 → 惠州: R 4/4 (two notices, the acceptance, the completion), Q 4/4, no rating
    expect(yibinSeen.received).toMatchObject({
      evaluator: YIBIN,
      evaluated: HUIZHOU,
      score: 100,
      items: 8,
      indicators: {
        R: { items: 4, numerator: 4 },
        T: { items: 0, x: 'n/a' },
        Q: { items: 4, numerator: 4 },
        S: { items: 0, x: 'n/a' },
      },
    });
  });

  it('shows the same message ids both ways, and what scorePair makes of the log itself', async () => {
    const log = await inboxLog(huizhou, yibin);
    const slaFor = (id: string | null) => (id === agreementId ? SLA : undefined);
    const window = {
      period: { start: Date.parse(start), end: Date.parse(end) },
      asOf: Date.parse(asOf),
    };
    for (const [evaluator, evaluated] of [
      [huizhou, yibin],
      [yibin, huizhou],
    ]) {
      const given = await partnerScore(evaluator, evaluated.code, 'given');
      const received = await partnerScore(evaluated, evaluator.code, 'received');
      expect(given.status).toBe(200);
      expect(received.status).toBe(200);
      expect(given.body.score).toEqual(received.body.score);
      expect(given.body.score).toEqual(
        scorePair({
          evaluator: evaluator.code,
          evaluated: evaluated.code,
          ...window,
          // verdicts from the one derivation; the SLA as the test wrote the agreement
          records: scoringLog(log).records,
          slaFor,
          weights: WEIGHTS,
        }),
      );

      // R counts exactly the flow messages the evaluator sent in the period
      const sentInPeriod = (await evaluator.db.getRepository(OutboxMessage).find())
        .filter(
          (r) =>
            r.type !== 'receipt' &&
            r.type !== 'rejection' &&
            r.peer === evaluated.code &&
            (r.brokerTime as number) >= window.period.start &&
            (r.brokerTime as number) < window.period.end,
        )
        .map((r) => r.id);
      expect(sentInPeriod).toHaveLength(4);
      expect([...given.body.score.indicators.R.denominatorIds].sort()).toEqual(sentInPeriod.sort());
    }
    const huizhouGiven = await partnerScore(huizhou, YIBIN, 'given');
    expect(huizhouGiven.body.score.indicators.S.numeratorIds).toEqual([ratingId]);
    expect(huizhouGiven.body.direction).toBe('given');
    expect(huizhouGiven.body.unpublished).toEqual([]);
  });

  it('keeps the rating at both ends', async () => {
    const given = await api<RatingView[]>(huizhou, 'GET', `/evaluation/ratings?partner=${YIBIN}`);
    expect(given.body).toEqual([
      expect.objectContaining({
        id: ratingId,
        direction: 'given',
        partner: YIBIN,
        agreementId,
        periodStart: start,
        periodEnd: end,
        criteria: CRITERIA,
        comment: '配合积极，信息及时',
        ratedBy: 'test coordinator',
        delivery: expect.objectContaining({ state: 'receipt' }),
      }),
    ]);
    const received = await api<RatingView[]>(
      yibin,
      'GET',
      '/evaluation/ratings?direction=received',
      undefined,
      'auditor',
    );
    expect(received.body).toEqual([
      expect.objectContaining({
        id: ratingId,
        direction: 'received',
        partner: HUIZHOU,
        periodStart: start,
        periodEnd: end,
        criteria: CRITERIA,
        ratedBy: null,
        delivery: null,
      }),
    ]);
    expect((await api<RatingView[]>(yibin, 'GET', '/evaluation/ratings')).body).toEqual([]);
  });

  describe('bad requests', () => {
    const expectProblem = (res: { status: number; body: unknown }, status: number, code: string) =>
      expect({ status: res.status, code: (res.body as { code?: string })?.code }).toEqual({
        status,
        code,
      });

    const send = (node: TestNode, method: 'get' | 'post', path: string, role?: Role) => {
      const req = request(node.url)[method](path);
      if (role) req.set('Authorization', `Bearer ${node.tokens[role]}`);
      return req;
    };

    let before: { outbox: number; inbox: number; ratings: number }[];
    const counts = (node: TestNode) =>
      Promise.all([
        node.db.getRepository(OutboxMessage).count(),
        node.db.getRepository(InboxMessage).count(),
        node.db.getRepository(EvaluationRating).count(),
      ]).then(([outbox, inbox, ratings]) => ({ outbox, inbox, ratings }));
    /** nothing was sent, received or stored on either node */
    const unchanged = async () => {
      await sleep(500);
      expect([await counts(huizhou), await counts(yibin)]).toEqual(before);
    };

    beforeAll(async () => {
      before = [await counts(huizhou), await counts(yibin)];
    });

    it('refuses malformed or inconsistent score windows with their own codes', async () => {
      const get = (params: Record<string, string>, path = '/evaluation/scores') =>
        send(huizhou, 'get', `${path}?${query(params)}`, 'coordinator');
      expectProblem(await get({ start: '2026-01-01', end }), 400, 'INSTANT_INVALID');
      expectProblem(await get({ start, end: '2026-02-30T00:00:00Z' }), 400, 'INSTANT_INVALID');
      expectProblem(await get({ start, end, asOf: 'now' }), 400, 'INSTANT_INVALID');
      expectProblem(await get({ start: end, end: start }), 422, 'PERIOD_INVALID');
      expectProblem(await get({ start, end, asOf: start }), 422, 'AS_OF_BEFORE_END');
      const tomorrow = new Date(Date.now() + 86400_000).toISOString();
      expectProblem(await get({ start, end: tomorrow }), 422, 'AS_OF_BEFORE_END');
      expectProblem(await get({ start, end, asOf: tomorrow }), 422, 'AS_OF_IN_FUTURE');
      expectProblem(await get({ end }), 400, 'VALIDATION_FAILED');
      expectProblem(await get({ start, end, partner: YIBIN }), 400, 'UNKNOWN_FIELD');
      const one = `/evaluation/scores/${YIBIN}`;
      expectProblem(await get({ start, end, direction: 'both' }, one), 400, 'VALIDATION_FAILED');
      expectProblem(
        await get({ start, end }, '/evaluation/scores/yibin'),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await get({ start, end }, `/evaluation/scores/${HUIZHOU}`),
        422,
        'NOT_A_PARTNER',
      );
      expectProblem(
        await get({ start, end }, '/evaluation/scores/110000'),
        404,
        'PARTNER_NOT_FOUND',
      );
      const path = `/evaluation/scores?${query({ start, end })}`;
      expectProblem(await send(huizhou, 'get', path, 'admin'), 403, 'FORBIDDEN');
      expectProblem(await send(huizhou, 'get', path), 401, 'UNAUTHENTICATED');
      expectProblem(
        await send(huizhou, 'get', `/evaluation/ratings?direction=sent`, 'coordinator'),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(await send(huizhou, 'get', '/evaluation/ratings', 'admin'), 403, 'FORBIDDEN');
      await unchanged();
    });

    it('refuses bad ratings before anything is sent', async () => {
      const rating = (extra: Record<string, unknown> = {}) => ({
        partner: YIBIN,
        periodStart: start,
        periodEnd: end,
        criteria: CRITERIA,
        ...extra,
      });
      const post = (body: unknown, role: Role | null = 'coordinator') =>
        send(huizhou, 'post', '/evaluation/ratings', role ?? undefined).send(body as object);

      for (const criteria of [
        { ...CRITERIA, cooperation: 6 },
        { ...CRITERIA, dataQuality: 0 },
        { ...CRITERIA, responsiveness: 4.5 },
        { responsiveness: 5, dataQuality: 4, cooperation: 4 },
      ]) {
        const res = await post(rating({ criteria }));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect((res.body as { errors: { field: string }[] }).errors[0].field).toMatch(
          /^criteria\./,
        );
      }
      expectProblem(await post(rating({ criteria: undefined })), 400, 'VALIDATION_FAILED');
      const wrongTypes = await post(rating({ criteria: 'great', comment: 5, partner: 511500 }));
      expectProblem(wrongTypes, 400, 'VALIDATION_FAILED');
      const fields = (wrongTypes.body as { errors: { field: string }[] }).errors.map(
        (e) => e.field,
      );
      expect([...new Set(fields)].sort()).toEqual(['comment', 'criteria', 'partner']);
      expectProblem(
        await post(rating({ criteria: { ...CRITERIA, friendliness: 5 } })),
        400,
        'UNKNOWN_FIELD',
      );
      expectProblem(await post(rating({ score: 90 })), 400, 'UNKNOWN_FIELD');
      expectProblem(await post(rating({ comment: 'x'.repeat(2001) })), 400, 'VALIDATION_FAILED');
      expectProblem(await post(rating({ partner: 'yibin' })), 400, 'VALIDATION_FAILED');
      expectProblem(await post(rating({ periodStart: '2026-01-01' })), 400, 'INSTANT_INVALID');
      expectProblem(
        await post(rating({ periodEnd: new Date(Date.parse(end) + 1).toISOString() })),
        400,
        'INSTANT_INVALID',
      );
      expectProblem(await post(rating({ periodEnd: start })), 422, 'PERIOD_INVALID');
      expectProblem(
        await send(huizhou, 'post', '/evaluation/ratings', 'coordinator')
          .set('Content-Type', 'application/json')
          .send('{"partner": "511500",'),
        400,
        'MALFORMED_JSON',
      );
      // no agreement with 深圳, none by that id, and no rating of oneself
      expectProblem(await post(rating({ partner: SHENZHEN })), 422, 'NO_AGREEMENT');
      expectProblem(
        await post(rating({ agreementId: '0192f3c4-0000-7000-8000-00000000abcd' })),
        422,
        'NO_AGREEMENT',
      );
      expectProblem(await post(rating({ partner: HUIZHOU })), 422, 'NO_AGREEMENT');
      expectProblem(await post(rating(), 'auditor'), 403, 'FORBIDDEN');
      expectProblem(await post(rating(), 'admin'), 403, 'FORBIDDEN');
      expectProblem(await post(rating(), null), 401, 'UNAUTHENTICATED');
      await unchanged();
    });
  });

  it('rejects a received rating the schema refuses, keeps a valid one, and scores both', async () => {
    const hand = await startHandPartner(net, SHENZHEN, huizhou, ['publicity']);
    try {
      const from = await nextSecond();
      const to = new Date(Date.parse(from) + 3000).toISOString().replace('.000Z', 'Z');
      const period = { periodStart: from, periodEnd: to };
      const bad = await hand.send('evaluation.rated', {
        ...period,
        criteria: { ...CRITERIA, serviceQuality: 9 },
      });
      const good = await hand.send('evaluation.rated', { ...period, criteria: CRITERIA });
      const rejection = await hand.arrival(
        (e) => e.type === 'rejection' && e.payload.messageId === bad.id,
        'the rejection of the bad rating',
      );
      expect(rejection.payload.reason).toBe('SCHEMA_INVALID');
      await hand.arrival(
        (e) => e.type === 'receipt' && e.payload.messageId === good.id,
        'the receipt of the good rating',
      );
      const stored = await api<RatingView[]>(
        huizhou,
        'GET',
        `/evaluation/ratings?direction=received&partner=${SHENZHEN}`,
      );
      expect(stored.body.map((r) => r.id)).toEqual([good.id]);

      await sleep(Date.parse(to) - Date.now() + 5);
      const params = { start: from, end: to, asOf: new Date().toISOString() };
      const res = await api<PartnerScoreView>(
        huizhou,
        'GET',
        `/evaluation/scores/${SHENZHEN}?${query(params)}`,
      );
      expect(res.status).toBe(200);
      // Q of 深圳: the refused rating was answered, with a rejection
      expect(res.body.score.indicators.Q).toMatchObject({
        numeratorIds: [good.id],
        denominatorIds: [bad.id, good.id],
      });
      const theirs = await api<PartnerScoreView>(
        huizhou,
        'GET',
        `/evaluation/scores/${SHENZHEN}?${query({ ...params, direction: 'received' })}`,
      );
      // 深圳's view of us: the valid rating receipted in time; the one we rightly rejected
      // is no R item of ours (DESIGN §7), and only the valid rating rates us
      expect(theirs.body.score.indicators.R).toMatchObject({
        items: 1,
        numerator: 1,
        denominatorIds: [good.id],
      });
      expect(theirs.body.score.indicators.S).toMatchObject({
        numeratorIds: [good.id],
        numerator: 12,
        denominator: 16,
      });
    } finally {
      await hand.stop();
    }
  });
});
