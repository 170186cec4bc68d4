/**
 * The staff dashboard in headless Chromium against a running node: 宜宾 sends
 * 惠州 a notice and a task that falls overdue; 惠州's dashboard shows both in
 * its inbox, the task among the overdue ones, and its partner scores — the
 * same figures as the API — without reading any personal data.
 */
import { Browser, Page } from 'playwright-core';
import { Role } from '@yipanqi/http-api';
import { api, establishAgreement } from '../support/agreements';
import { launchChromium } from '../support/browser';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { PeopleGenerator } from '../support/synthetic-people';

const HUIZHOU = '441300';
const YIBIN = '511500';
const people = new PeopleGenerator(20261129);

interface PairScore {
  score: number | 'n/a';
  indicators: Record<string, { x: number | 'n/a' }>;
}
interface Scores {
  partners: { partner: string; given: PairScore; received: PairScore }[];
}

describe('the staff dashboard', () => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let yibin: TestNode;
  let browser: Browser;
  let taskId: string;
  let noticeIds: string[];

  beforeAll(async () => {
    [net, browser] = await Promise.all([startTestNetwork([HUIZHOU, YIBIN]), launchChromium()]);
    huizhou = net.nodes[HUIZHOU];
    yibin = net.nodes[YIBIN];
    await establishAgreement(yibin, huizhou, HUIZHOU, { role: 'outflow' });

    const notice = await api(yibin, 'POST', '/notices', {
      to: HUIZHOU,
      category: 'policy',
      domain: 'information-exchange',
      title: '2026年流动人口服务政策',
      text: '请知悉。',
    });
    expect(notice.status).toBe(202);
    const person = people.person(YIBIN);
    const task = await api<{ id: string; dueAt: string }>(yibin, 'POST', '/tasks', {
      to: HUIZHOU,
      kind: 'investigation',
      domain: 'information-exchange',
      subject: { idNumber: person.idNumber, name: person.name },
      instructions: '请核实现居住地址',
      dueAt: new Date(Date.now() + 8000).toISOString(),
    });
    expect(task.status).toBe(202);
    taskId = task.body.id;

    await eventually(
      async () => (await api(huizhou, 'GET', `/tasks/${taskId}`)).status === 200,
      60000,
      'the task at 惠州',
    );
    await eventually(
      async () =>
        (await api<unknown[]>(huizhou, 'GET', '/notices?direction=received')).body.length === 1,
      60000,
      'the notice at 惠州',
    );
    noticeIds = (
      await api<{ id: string }[]>(huizhou, 'GET', '/notices?direction=received')
    ).body.map((n) => n.id);
    // past its due date, and past the few seconds the page leaves for answers to settle
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(task.body.dueAt) - Date.now() + 6000)),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await net?.stop();
  });

  async function signIn(role: Role | 'nonsense'): Promise<{ page: Page; requested: string[] }> {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const res = await page.goto(`${huizhou.url}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.fill('#token', role === 'nonsense' ? 'not-a-token' : huizhou.tokens[role]);
    await page.click('#signin-button');
    return { page, requested };
  }

  const cellTexts = (page: Page, selector: string) =>
    page.locator(`${selector} td`).allTextContents();

  /** The named data attributes of every row a selector finds, in order. */
  async function rowData(page: Page, selector: string, names: string[]) {
    const rows = await page.locator(selector).all();
    return Promise.all(
      rows.map(async (r) => {
        const data: Record<string, string | null> = {};
        for (const name of names) data[name] = await r.getAttribute(`data-${name}`);
        return data;
      }),
    );
  }

  it("shows the inbox, the overdue task and the partner scores, as the API has them, reading nobody's personal data", async () => {
    const readsBefore = await huizhou.db.query('SELECT COUNT(*) AS n FROM personal_data_access');
    const { page, requested } = await signIn('coordinator');
    await page.waitForSelector('#score-rows tr');

    expect(await page.textContent('#node')).toContain(HUIZHOU);
    expect(await page.isVisible('#signin')).toBe(false);
    expect(await page.isVisible('#signout')).toBe(true);
    const inbox = await rowData(page, '#inbox-rows tr', ['kind', 'id']);
    expect(inbox).toEqual([
      { kind: 'task', id: taskId },
      ...noticeIds.map((id) => ({ kind: 'notice', id })),
    ]);
    expect(await page.textContent('#inbox-count')).toBe('2');
    expect(await cellTexts(page, `#inbox-rows tr[data-id="${taskId}"]`)).toEqual([
      '任务 task',
      YIBIN,
      '协查 investigation · information-exchange',
      expect.stringMatching(/^期限 due \d{4}-\d\d-\d\d \d\d:\d\d$/),
      '待接受 to accept',
    ]);

    const overdue = await rowData(page, '#overdue-rows tr', ['id', 'late']);
    expect(overdue).toEqual([{ id: taskId, late: 'us' }]);

    // the page's window, asked of the API directly, gives the figures on the page and in its chart
    const [asked] = await rowData(page, '#scores', ['start', 'end', 'as-of']);
    const scores = await api<Scores>(
      huizhou,
      'GET',
      `/evaluation/scores?${new URLSearchParams({
        start: String(asked.start),
        end: String(asked.end),
        asOf: String(asked['as-of']),
      }).toString()}`,
    );
    expect(scores.status).toBe(200);
    const [withYibin] = scores.body.partners;
    expect(scores.body.partners.map((p) => p.partner)).toEqual([YIBIN]);
    expect(withYibin.given.score).not.toBe('n/a');
    const shown = (s: number | 'n/a') => (s === 'n/a' ? 'n/a' : s.toFixed(2));
    const row = await cellTexts(page, `#score-rows tr[data-partner="${YIBIN}"]`);
    expect(row.slice(0, 3)).toEqual([
      YIBIN,
      shown(withYibin.given.score),
      shown(withYibin.received.score),
    ]);
    // what Chart.js draws, read from the chart itself
    const chartData: unknown = await page.evaluate(`(() => {
      const chart = Chart.getChart('score-chart');
      return { labels: chart.data.labels, values: chart.data.datasets.map((d) => d.data) };
    })()`);
    const value = (s: number | 'n/a') => (s === 'n/a' ? null : s);
    expect(chartData).toEqual({
      labels: [YIBIN],
      values: [[value(withYibin.given.score)], [value(withYibin.received.score)]],
    });

    // nothing from elsewhere, and no read of a person's record
    expect(requested.filter((url) => !url.startsWith(`${huizhou.url}/`))).toEqual([]);
    expect(await huizhou.db.query('SELECT COUNT(*) AS n FROM personal_data_access')).toEqual(
      readsBefore,
    );

    // signing out takes every figure off the page, not only out of sight
    await page.click('#signout');
    expect(await page.isVisible('#signin')).toBe(true);
    expect(await page.locator('#content tbody tr').count()).toBe(0);
    expect(await page.evaluate("Chart.getChart('score-chart') === undefined")).toBe(true);
    await page.close();
  });

  it('shows an auditor the same inbox without the verification queue it may not read', async () => {
    const { page } = await signIn('auditor');
    await page.waitForSelector('#inbox-rows tr');
    expect(await rowData(page, '#inbox-rows tr', ['kind'])).toEqual([
      { kind: 'task' },
      { kind: 'notice' },
    ]);
    expect(await page.isVisible('#inbox .section-problem')).toBe(false);
    await page.close();
  });

  it('says why a token is refused and shows no data', async () => {
    const { page } = await signIn('nonsense');
    await page.waitForSelector('#problem:not([hidden])');
    expect(await page.textContent('#problem')).toContain('401 TOKEN_INVALID');
    expect(await page.isVisible('#content')).toBe(false);
    expect(await page.locator('#content tbody tr').count()).toBe(0);
    expect(await page.isVisible('#signin')).toBe(true);
    await page.close();
  });

  it('serves only its own files', async () => {
    // the controller's own source sits one folder above the page's files
    for (const name of ['..%2Fdashboard.controller.ts', '..%2Fdashboard.controller.js']) {
      const res = await fetch(`${huizhou.url}/dashboard/${name}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const script = await fetch(`${huizhou.url}/dashboard/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
