/**
 * The staff workbench in headless Chromium against two nodes over Kafka:
 * 惠州 (inflow) asks 宜宾 (outflow) for a task, a certificate verification,
 * a notice and a service acknowledgement; 宜宾's staff do all of it in the
 * browser, and the API — at 宜宾 and, over the exchange, at 惠州 — then has
 * the same state. A form the API refuses shows its problem and changes
 * nothing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { Browser, Locator, Page } from 'playwright-core';
import { api } from '../support/agreements';
import { launchChromium } from '../support/browser';
import { establishOutflowAgreement } from '../support/certificates';
import { eventually, startTestNetwork, TestNetwork, TestNode } from '../support/city-nodes';
import { PeopleGenerator } from '../support/synthetic-people';

const HUIZHOU = '441300'; // 惠州市, place of inflow
const YIBIN = '511500'; // 宜宾市, place of outflow
const PURPOSE = '办理协查委托';
const ARTIFACTS = join(__dirname, '../artifacts/workbench');
const people = new PeopleGenerator(20261208);

/** What staff read: yyyy-mm-dd HH:mm in China time, computed here independently of the page. */
function chinaTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

interface TaskView {
  id: string;
  state: string;
  dueAt: string;
}
interface VerificationView {
  id: string;
  status: string;
  result: string | null;
  answeredBy: string | null;
}

describe('the staff workbench', () => {
  let net: TestNetwork;
  let huizhou: TestNode;
  let yibin: TestNode;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  let taskId: string;
  let lateTaskId: string;
  let lateDueAt: string;
  let verificationId: string;
  let noticeId: string;
  let serviceId: string;

  const taskAt = async (node: TestNode, id: string) =>
    (await api<TaskView>(node, 'GET', `/tasks/${id}`)).body;

  beforeAll(async () => {
    [net, browser] = await Promise.all([startTestNetwork([HUIZHOU, YIBIN]), launchChromium()]);
    huizhou = net.nodes[HUIZHOU];
    yibin = net.nodes[YIBIN];
    await establishOutflowAgreement(yibin, huizhou, HUIZHOU, {
      scope: ['information-exchange', 'marriage-certificate', 'publicity'],
    });

    const person = people.person(YIBIN);
    const ask = (dueInMs: number) =>
      api<TaskView>(huizhou, 'POST', '/tasks', {
        to: YIBIN,
        kind: 'investigation',
        domain: 'information-exchange',
        subject: { idNumber: person.idNumber, name: person.name },
        instructions: '请核实户籍地婚育情况',
        dueAt: new Date(Date.now() + dueInMs).toISOString(),
      });
    const [task, late, verification, notice, service] = await Promise.all([
      ask(3 * 24 * 3600_000),
      // falls overdue while the page is open: the overdue list shows it
      ask(20_000),
      api<{ id: string }>(huizhou, 'POST', '/certificates/verifications', {
        // a number 宜宾 never issued: it waits for staff
        certificateNumber: '511500-2019-000777',
        idNumber: person.idNumber,
        to: YIBIN,
      }),
      api<{ id: string }>(huizhou, 'POST', '/notices', {
        to: YIBIN,
        category: 'policy',
        domain: 'information-exchange',
        title: '关于做好流动人口婚育证明查验工作的通知',
        text: '请各地按时答复查验请求。',
      }),
      api<{ id: string }>(huizhou, 'POST', '/services', {
        to: YIBIN,
        domain: 'publicity',
        serviceType: 'publicity-session',
        deliveredOn: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
        provider: '惠城区江北街道计生办',
        details: '流动人口婚育新风宣传，到场 40 人',
      }),
    ]);
    for (const r of [task, late, verification, notice, service]) expect(r.status).toBe(202);
    taskId = task.body.id;
    lateTaskId = late.body.id;
    lateDueAt = late.body.dueAt;
    verificationId = verification.body.id;
    noticeId = notice.body.id;
    serviceId = service.body.id;

    await eventually(
      async () => {
        const [tasks, queue, notices, services] = await Promise.all([
          api<TaskView[]>(yibin, 'GET', '/tasks?box=inbox'),
          api<VerificationView[]>(yibin, 'GET', '/certificates/verifications/queue'),
          api<{ id: string }[]>(yibin, 'GET', '/notices?acknowledged=false'),
          api<{ id: string }[]>(yibin, 'GET', '/services?direction=received'),
        ]);
        return (
          tasks.body.length === 2 &&
          queue.body.some((v) => v.id === verificationId) &&
          notices.body.some((n) => n.id === noticeId) &&
          services.body.some((s) => s.id === serviceId)
        );
      },
      60000,
      'the task, verification, notice and service at 宜宾',
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // CSP and Trusted Types violations are reported on the console (refused calls are too: not these)
    page.on('console', (m) => {
      if (/Content Security Policy|Trusted Type/i.test(m.text())) pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await net?.stop();
  });

  /** axe-core's serious and critical findings on the page as it stands. */
  async function accessibilityViolations(): Promise<unknown[]> {
    await page.evaluate(axe.source);
    return page.evaluate(`axe.run(document).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })))`);
  }

  const row = (section: string, id: string): Locator =>
    page.locator(`#${section} .el-table__body tr`, { hasText: id });
  const dialog = (title: string): Locator =>
    page.locator('.el-dialog', { has: page.getByText(title, { exact: true }) });

  async function choose(select: string, option: string): Promise<void> {
    // the select's own input sits under its placeholder: click the select around it
    await page.locator('.el-select', { has: page.locator(select) }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }

  it('signs in with a pasted token under a strict CSP and shows the role', async () => {
    const res = await page.goto(`${yibin.url}/workbench/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.waitForURL(/\/workbench\/sign-in/);
    await page.locator('#token').waitFor();
    expect(await accessibilityViolations()).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'sign-in.png'), fullPage: true });

    await page.fill('#token', 'not-a-token');
    await page.fill('#purpose', PURPOSE);
    await page.click('#sign-in-button');
    await page.locator('#sign-in-problem').waitFor();
    expect(await page.textContent('#sign-in-problem')).toContain('401 TOKEN_INVALID');

    await page.fill('#token', yibin.tokens.coordinator);
    await page.click('#sign-in-button');
    await page.waitForURL(/\/workbench\/inbox$/);
    expect(await page.textContent('#signed-in-role')).toContain('协作工作人员 coordinator');
    expect(await page.textContent('#signed-in-node')).toBe('宜宾市 511500');
    // every section of the issue is in the menu
    expect(await page.locator('.el-menu-item').allTextContents()).toEqual([
      '收件箱Inbox',
      '流动人口People',
      '婚育证明Certificates',
      '协查委托Tasks',
      '服务Services',
      '信息通报Notices',
      '专项活动Campaign import',
      '区域协作协议Agreements',
      '互评Evaluation',
      '交换监控Exchange monitor',
    ]);
  });

  it('shows the inbox with full ids, city names and China times', async () => {
    const task = row('tasks', taskId);
    await task.waitFor();
    const due = (await taskAt(yibin, taskId)).dueAt;
    const cells = await task.locator('td').allTextContents();
    expect(cells.map((c) => c.trim())).toEqual([
      taskId,
      '惠州市 441300',
      '协查 investigation · 信息交换 information-exchange',
      chinaTime(due),
      '待接受 requested',
      '接受退回',
    ]);
    const notice = row('notices', noticeId);
    await notice.waitFor();
    expect(await notice.textContent()).toContain('关于做好流动人口婚育证明查验工作的通知');
    expect(await notice.textContent()).toContain('惠州市 441300');
    const verification = row('verifications', verificationId);
    expect(await verification.textContent()).toContain('511500-2019-000777');
    expect(await row('services', serviceId).textContent()).toContain('宣传教育活动');

    // the late task, once past due, is on the overdue list with its due time
    await eventually(
      async () => (await api<TaskView[]>(yibin, 'GET', '/tasks/overdue')).body.length === 1,
      60000,
      'the late task overdue at 宜宾',
    );
    await page.click('#refresh');
    const late = row('overdue', lateTaskId);
    await late.waitFor();
    expect(await late.textContent()).toContain(chinaTime(lateDueAt));
    expect(await late.textContent()).toContain('本方 us');

    // the titles and certificate numbers were read under the purpose given at sign-in
    const reads = await yibin.db.query(
      "SELECT DISTINCT purpose FROM personal_data_access WHERE record_type IN ('notice', 'verification')",
    );
    expect(reads).toEqual([{ purpose: PURPOSE }]);

    expect(await accessibilityViolations()).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'inbox.png'), fullPage: true });
  });

  it('accepts a task, refuses a completion without a report as the API does, then completes it', async () => {
    await row('tasks', taskId).getByRole('button', { name: '接受' }).click();
    await dialog('接受委托').locator('#task-submit').click();
    await row('tasks', taskId).getByText('办理中 accepted').waitFor();

    await row('tasks', taskId).getByRole('button', { name: '办结' }).click();
    const complete = dialog('办结委托');
    await choose('#task-outcome', '已办结 done');
    await complete.locator('#task-submit').click();
    const problem = complete.locator('.problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(
      '填写的内容不符合要求，请按提示修改（400 VALIDATION_FAILED）',
    );
    // the API's finding stands under the field it is about
    await complete.locator('.el-form-item__error', { hasText: 'report' }).waitFor();
    const refused = await api<{ history: { action: string }[] } & TaskView>(
      yibin,
      'GET',
      `/tasks/${taskId}`,
    );
    expect(refused.body.state).toBe('accepted');
    expect(refused.body.history.map((h) => h.action)).toEqual(['request', 'accept']);

    await complete.locator('#task-report').fill('经核实，此人已婚，育有一孩。');
    await complete.locator('#task-submit').click();
    await row('tasks', taskId).waitFor({ state: 'detached' });
    expect((await taskAt(yibin, taskId)).state).toBe('completed');
    await eventually(
      async () => (await taskAt(huizhou, taskId)).state === 'completed',
      60000,
      'the completion at 惠州',
    );
  });

  it('answers the queued verification, acknowledges the notice and the service', async () => {
    await row('verifications', verificationId).getByRole('button', { name: '答复' }).click();
    const answer = dialog('答复证明查验');
    await answer.locator('.el-radio', { hasText: 'NOT_FOUND' }).click();
    await answer.locator('#verification-submit').click();
    await row('verifications', verificationId).waitFor({ state: 'detached' });

    await row('notices', noticeId).getByRole('button', { name: '签收' }).click();
    await row('notices', noticeId).waitFor({ state: 'detached' });

    await row('services', serviceId).getByRole('button', { name: '确认' }).click();
    await dialog('确认服务记录').locator('#service-submit').click();
    await row('services', serviceId).waitFor({ state: 'detached' });

    const answered = (
      await api<VerificationView[]>(yibin, 'GET', '/certificates/verifications?direction=received')
    ).body.find((v) => v.id === verificationId);
    expect(answered).toMatchObject({
      status: 'answered',
      result: 'NOT_FOUND',
      answeredBy: 'staff',
    });
    const notices = await api<{ id: string; acknowledgedBy: string | null }[]>(
      yibin,
      'GET',
      '/notices?acknowledged=true',
    );
    expect(notices.body.map((n) => n.id)).toEqual([noticeId]);
    const services = await api<{ id: string; acknowledged: boolean }[]>(
      yibin,
      'GET',
      '/services?direction=received&acknowledged=true',
    );
    expect(services.body.map((s) => s.id)).toEqual([serviceId]);
    // the answers travel: 惠州 has the verification answered and the service acknowledged
    await eventually(
      async () => {
        const [sent, delivered] = await Promise.all([
          api<VerificationView[]>(huizhou, 'GET', '/certificates/verifications?direction=sent'),
          api<{ id: string }[]>(huizhou, 'GET', '/services?direction=delivered&acknowledged=true'),
        ]);
        return (
          sent.body.some((v) => v.id === verificationId && v.result === 'NOT_FOUND') &&
          delivered.body.some((s) => s.id === serviceId)
        );
      },
      60000,
      'the answer and the acknowledgement at 惠州',
    );

    // nothing from elsewhere, and no CSP or Trusted Types violation on the way
    expect(requested.filter((url) => !url.startsWith(`${yibin.url}/`))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('signs out, leaving nothing in browser storage', async () => {
    const stored = await page.evaluate('[localStorage.length, sessionStorage.length]');
    expect(stored).toEqual([0, 0]);
    await page.click('#sign-out');
    await page.waitForURL(/\/workbench\/sign-in/);
    expect(await page.locator('.el-table').count()).toBe(0);
    await page.close();
  });

  it('serves its own files, falls back to the page for its routes, and 404s the rest', async () => {
    const route = await fetch(`${yibin.url}/workbench/tasks`);
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await route.text();
    const script = /src="\/workbench\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${yibin.url}/workbench/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const name of [
      '..%2Fworkbench.controller.ts',
      'assets/nothing.js',
      'inbox/nested',
      'index.html.map',
    ]) {
      const res = await fetch(`${yibin.url}/workbench/${name}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
