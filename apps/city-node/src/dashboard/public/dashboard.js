// The staff dashboard (docs/dashboard.md). It reads the node's API with the
// token staff paste in, kept in session storage only (gone with the tab). It
// never asks for personal data: no list is read with a stated purpose, so the
// page adds nothing to the access log.
'use strict';

(() => {
  const TOKEN_KEY = 'yipanqi.dashboard.token';
  const REFRESH_MS = 30000;
  const CHINA_OFFSET_MS = 8 * 3600 * 1000;
  // a period ends (and is scored as of) a few seconds back: the node refuses an
  // as-of instant in its future, and the browser's clock may run a little ahead
  const CLOCK_SLACK_MS = 5000;
  const INDICATORS = ['R', 'V', 'T', 'Q', 'S'];
  const TASK_KINDS = { investigation: '协查 investigation', commission: '委托 commission' };
  const TASK_STATES = { requested: '待接受 to accept', accepted: '办理中 to complete' };

  const $ = (id) => document.getElementById(id);
  let refreshTimer;
  let chart;
  // each load (and each sign-out) starts a new generation; answers of an older one are dropped
  let generation = 0;

  class ApiProblem extends Error {
    constructor(status, body) {
      const code = body && body.code ? body.code : `HTTP_${status}`;
      super(`${status} ${code}: ${(body && (body.detail || body.title)) || ''}`);
      this.status = status;
    }
  }

  async function api(path) {
    const res = await fetch(path, {
      headers: {
        authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`,
        accept: 'application/json',
      },
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiProblem(res.status, body);
    return body;
  }

  /** China time, to the minute, of an ISO instant or epoch milliseconds. */
  function chinaTime(value) {
    if (value === null || value === undefined) return '—';
    const ms = typeof value === 'number' ? value : Date.parse(value);
    return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
  }

  function chinaDate(ms) {
    return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
  }

  function duration(seconds) {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    return days > 0
      ? `${days} d ${hours} h`
      : hours > 0
        ? `${hours} h ${minutes} min`
        : `${minutes} min`;
  }

  function row(cells, attributes = {}) {
    const tr = document.createElement('tr');
    for (const [name, value] of Object.entries(attributes)) tr.dataset[name] = value;
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.append(td);
    }
    return tr;
  }

  function showProblem(section, err) {
    const p = section.querySelector('.section-problem');
    p.textContent = err ? err.message : '';
    p.hidden = !err;
  }

  /** Removes every figure from the page (sign-out, or a section the token may no longer read). */
  function clearSection(id) {
    for (const body of $(id).querySelectorAll('tbody')) body.replaceChildren();
    const count = $(`${id}-count`);
    if (count) count.textContent = '';
    if (id === 'scores' && chart) {
      chart.destroy();
      chart = undefined;
    }
  }

  async function fetchInbox() {
    const optional = (promise) =>
      promise.catch((err) => (err.status === 403 ? [] : Promise.reject(err)));
    const [requested, accepted, verifications, notices, services] = await Promise.all([
      api('/tasks?box=inbox&state=requested'),
      api('/tasks?box=inbox&state=accepted'),
      // answering verifications is staff work; auditors do not see the queue
      optional(api('/certificates/verifications/queue')),
      api('/notices?direction=received&acknowledged=false'),
      api('/services?direction=received&acknowledged=false'),
    ]);
    const rows = [
      ...[...requested, ...accepted].map((t) =>
        row(
          [
            '任务 task',
            t.partner,
            `${TASK_KINDS[t.kind] || t.kind} · ${t.domain}`,
            `期限 due ${chinaTime(t.dueAt)}`,
            TASK_STATES[t.state] || t.state,
          ],
          { kind: 'task', id: t.id },
        ),
      ),
      ...verifications.map((v) =>
        row(
          [
            '核验 verification',
            v.peer,
            '婚育证明核验 certificate check',
            `期限 due ${chinaTime(v.dueAt)}`,
            v.overdue ? '逾期 overdue' : '待答复 to answer',
          ],
          { kind: 'verification', id: v.id },
        ),
      ),
      ...notices.map((n) =>
        row(
          [
            '通报 notice',
            n.peer,
            `${n.category} · ${n.domain}`,
            chinaTime(n.createdAt),
            '未确认 unacknowledged',
          ],
          {
            kind: 'notice',
            id: n.id,
          },
        ),
      ),
      ...services.map((s) =>
        row(
          [
            '服务 service',
            s.peer,
            `${s.serviceType} · ${s.provider}`,
            s.deliveredOn,
            '待确认 to acknowledge',
          ],
          {
            kind: 'service',
            id: s.id,
          },
        ),
      ),
    ];
    return () => {
      $('inbox-rows').replaceChildren(...rows);
      $('inbox-count').textContent = String(rows.length);
    };
  }

  async function fetchOverdue() {
    const tasks = await api('/tasks/overdue');
    const rows = tasks.map((t) =>
      row(
        [
          t.id,
          t.partner,
          TASK_KINDS[t.kind] || t.kind,
          chinaTime(t.dueAt),
          duration(t.overdueSeconds),
          t.late === 'us' ? '我方 us' : '对方 partner',
        ],
        { id: t.id, late: t.late },
      ),
    );
    return () => {
      $('overdue-rows').replaceChildren(...rows);
      $('overdue-count').textContent = String(rows.length);
    };
  }

  /** The period the form asks for: whole China days, ending no later than a few seconds ago. */
  function period() {
    const start = `${$('period-from').value}T00:00:00+08:00`;
    const dayAfter = Date.parse(`${$('period-to').value}T00:00:00+08:00`) + 24 * 3600 * 1000;
    const settled = Math.floor((Date.now() - CLOCK_SLACK_MS) / 1000) * 1000;
    const end = new Date(Math.min(dayAfter, settled)).toISOString().replace('.000Z', 'Z');
    return { start, end, asOf: end };
  }

  const shownScore = (score) => (score === 'n/a' ? 'n/a' : score.toFixed(2));
  const shownX = (indicator) =>
    indicator.x === 'n/a' ? 'n/a' : `${(100 * indicator.x).toFixed(1)}%`;

  async function fetchScores() {
    const asked = period();
    const result = await api(`/evaluation/scores?${new URLSearchParams(asked)}`);
    return () => showScores(asked, result);
  }

  function showScores(asked, result) {
    Object.assign($('scores').dataset, asked);
    $('period-shown').textContent =
      `${chinaTime(asked.start)} — ${chinaTime(asked.end)} (北京时间 China time)`;
    $('score-rows').replaceChildren(
      ...result.partners.map((p) =>
        row(
          [
            p.partner,
            shownScore(p.given.score),
            shownScore(p.received.score),
            ...INDICATORS.map((i) => shownX(p.given.indicators[i])),
          ],
          { partner: p.partner },
        ),
      ),
    );
    drawChart(result.partners);
  }

  function drawChart(partners) {
    const value = (score) => (score === 'n/a' ? null : score);
    const data = {
      labels: partners.map((p) => p.partner),
      datasets: [
        {
          label: '我方评对方 given',
          data: partners.map((p) => value(p.given.score)),
          backgroundColor: '#2f6fad',
        },
        {
          label: '对方评我方 received',
          data: partners.map((p) => value(p.received.score)),
          backgroundColor: '#d9822b',
        },
      ],
    };
    if (chart) {
      chart.data = data;
      chart.update();
      return;
    }
    chart = new window.Chart($('score-chart'), {
      type: 'bar',
      data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: '分 score' } } },
      },
    });
  }

  /** Sections load on their own: a role that may not read one list still sees the others. */
  const SECTIONS = [
    ['inbox', fetchInbox],
    ['overdue', fetchOverdue],
    ['scores', fetchScores],
  ];

  async function load() {
    const mine = ++generation;
    clearTimeout(refreshTimer);
    try {
      const health = await fetch('/health').then((r) => r.json());
      const results = await Promise.all(
        SECTIONS.map(([id, fetchSection]) =>
          fetchSection().then(
            (render) => ({ id, render }),
            (error) => ({ id, error }),
          ),
        ),
      );
      if (mine !== generation) return;
      const refused = results.find((r) => r.error instanceof ApiProblem && r.error.status === 401);
      if (refused) throw refused.error;
      $('node').textContent = `${health.node} ${health.name || ''}`;
      for (const { id, render, error } of results) {
        showProblem($(id), error);
        if (error) clearSection(id);
        else render();
      }
      $('problem').hidden = true;
      $('content').hidden = false;
      $('signin').hidden = true;
      $('signed-in').hidden = false;
      $('updated').textContent = `更新于 updated ${chinaTime(Date.now())}`;
    } catch (err) {
      if (mine !== generation) return;
      $('problem').textContent = err.message;
      $('problem').hidden = false;
      if (err instanceof ApiProblem && err.status === 401) {
        signOut(false);
        return;
      }
    }
    // also after a failure (the node restarting, say): the page keeps trying while signed in
    refreshTimer = setTimeout(load, REFRESH_MS);
  }

  function signOut(clearProblem = true) {
    generation++;
    clearTimeout(refreshTimer);
    sessionStorage.removeItem(TOKEN_KEY);
    for (const [id] of SECTIONS) clearSection(id);
    $('content').hidden = true;
    $('signin').hidden = false;
    $('signed-in').hidden = true;
    if (clearProblem) $('problem').hidden = true;
  }

  document.addEventListener('DOMContentLoaded', () => {
    const today = Date.now();
    $('period-from').value = chinaDate(today - 29 * 24 * 3600 * 1000);
    $('period-to').value = chinaDate(today);
    $('signin').addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      $('token').value = '';
      void load();
    });
    $('signout').addEventListener('click', () => signOut());
    $('refresh').addEventListener('click', () => void load());
    $('period').addEventListener('submit', (event) => {
      event.preventDefault();
      void load();
    });
    if (sessionStorage.getItem(TOKEN_KEY)) void load();
  });
})();
