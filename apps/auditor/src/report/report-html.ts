import { IndicatorScore, INDICATORS } from '@yipanqi/evaluation';
import { FINDING_KINDS, FindingKind } from '@yipanqi/exchange-log';
import { AuditReport, ReportFinding } from './audit-report';

/** Rows per table; report.json always has every row. A browser slows down past a few thousand. */
export const HTML_ROW_LIMIT = 2000;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Everything shown comes from the log, which anyone in the directory can write: escape it all. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1d232a}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:2rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d5dbe1;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.verdict{display:inline-block;padding:.35rem .8rem;border-radius:4px;font-weight:600;color:#fff}
.clean{background:#1f7a3d}.discrepancies{background:#b42318}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem}
.grid div{border:1px solid #d5dbe1;border-radius:4px;padding:.4rem .6rem}
.grid b{display:block;font-size:1.2rem}.muted{color:#5b6570}
`;

const cell = (text: string | number | null) =>
  `<td>${text === null ? '<span class="muted">—</span>' : escapeHtml(String(text))}</td>`;
const num = (n: number | null) => `<td class="n">${n === null ? '—' : n}</td>`;
const ids = (list: string[]) =>
  `<td>${list.map((id) => `<code>${escapeHtml(id)}</code>`).join('<br>')}</td>`;

function where(f: ReportFinding): string {
  if (f.topic !== null) return `${f.topic} / ${f.partition} @ ${f.offset}`;
  return f.file ?? '';
}

function limited<T>(rows: T[], render: (row: T, i: number) => string, columns: number): string {
  const shown = rows.slice(0, HTML_ROW_LIMIT).map(render).join('\n');
  const rest = rows.length - HTML_ROW_LIMIT;
  return rest > 0
    ? `${shown}\n<tr><td colspan="${columns}" class="muted">… ${rest} more rows in report.json</td></tr>`
    : shown;
}

/** An indicator as a reader checks it: the exact fraction, its weight, or n/a. */
function indicator(score: IndicatorScore): string {
  const x = score.x === 'n/a' ? 'n/a' : `${score.numerator}/${score.denominator}`;
  return `<td class="n">${escapeHtml(x)} <span class="muted">w ${score.weight}</span></td>`;
}

function scoresSection(report: AuditReport): string {
  if (!report.scores) return '';
  const { period, asOf, pairs } = report.scores;
  return `
<h2>Scores ${escapeHtml(period.start)} — ${escapeHtml(period.end)}, as of ${escapeHtml(asOf)}</h2>
<p class="muted">Recomputed with libs/evaluation from the messages that entered their streams; report.json lists the message ids behind every figure.</p>
<table><tr><th>evaluator</th><th>evaluated</th><th>score</th><th>items</th>${INDICATORS.map((c) => `<th>${c}</th>`).join('')}</tr>
${limited(
  pairs,
  (p) =>
    `<tr>${cell(p.evaluator)}${cell(p.evaluated)}<td class="n"><b>${escapeHtml(String(p.score))}</b></td>${num(p.items)}${INDICATORS.map((c) => indicator(p.indicators[c])).join('')}</tr>`,
  4 + INDICATORS.length,
)}
</table>`;
}

function rejectionsSection(report: AuditReport): string {
  const nodes = Object.keys(report.rejections.byNode).sort();
  if (nodes.length === 0) return '';
  return `
<h2>Rejections by verdict</h2>
<p class="muted">Every signed rejection judged on this log (docs/evaluation.md "Rejection verdicts"): justified — the log shows the message was refusable; unjustified — every check passes (an UNJUSTIFIED_REJECTION finding; scored as if accepted); undecidable — the reason is about what only the recipient can read.</p>
<table><tr><th>rejecting node</th><th>justified</th><th>unjustified</th><th>undecidable</th></tr>
${limited(
  nodes,
  (node) => {
    const c = report.rejections.byNode[node];
    return `<tr>${cell(node)}${num(c.justified)}${num(c.unjustified)}${num(c.undecidable)}</tr>`;
  },
  4,
)}
</table>`;
}

function campaignsSection(report: AuditReport): string {
  if (report.campaigns.length === 0) return '';
  return `
<h2>Campaign results</h2>
<p class="muted">Each result the coordinator published, recomputed from this log with its own parameters; each differing figure is a CAMPAIGN_RESULT_MISMATCH finding above.</p>
<table><tr><th>campaign</th><th>name</th><th>result</th><th>where</th><th>verdict</th><th>differing figures</th><th>detail</th></tr>
${limited(
  report.campaigns,
  (c) =>
    `<tr>${cell(c.campaignId)}${cell(c.name)}${cell(c.resultId)}${cell(`${c.location.topic} / ${c.location.partition} @ ${c.location.offset}`)}${cell(c.status)}${num(c.differences.length)}${cell(c.detail)}</tr>`,
  7,
)}
</table>`;
}

/** report.html: one self-contained page (inline style, no script, no external asset). */
export function renderReportHtml(report: AuditReport): string {
  const s = report.summary;
  const source =
    report.source.kind === 'kafka'
      ? `Kafka ${report.source.brokers.join(', ')}`
      : `archive ${report.source.path}`;
  const figures: [string, number][] = [
    ['inbox records', s.inboxRecords],
    ['envelopes', s.envelopes],
    ['entered their stream', s.entered],
    ['receipts', s.receipts],
    ['rejections', s.rejections],
    ['redeliveries', s.redeliveries],
    ['refused', s.refused],
    ['streams', s.streams],
    ['directory members', s.directoryMembers],
    ['awaiting answer', s.awaitingAnswers],
    ['answers outside range', s.answersOutsideRange],
    ['campaign results', s.campaignResults],
    ['findings', s.findings],
  ];
  const kinds = Object.entries(s.findingsByKind) as [FindingKind, number][];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Yipanqi audit — ${escapeHtml(report.verdict)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Yipanqi 一盘棋 — exchange log audit</h1>
<p><span class="verdict ${report.verdict}">${
    report.verdict === 'clean'
      ? 'Clean: no discrepancy'
      : `${s.findings} ${s.findings === 1 ? 'discrepancy' : 'discrepancies'}`
  }</span></p>
<table>
<tr><th>source</th>${cell(source)}</tr>
<tr><th>topic prefix</th>${cell(report.source.topicPrefix)}</tr>
<tr><th>inbox topics</th>${cell(report.source.inboxTopics.join(', '))}</tr>
<tr><th>broker-time range</th>${cell(`${report.log.from ?? 'beginning'} — ${report.log.to ?? 'cut'}`)}</tr>
<tr><th>log cut at</th>${cell(report.log.cutAt)}</tr>
<tr><th>answers judged as of</th>${cell(`${report.log.asOf} (answer window ${report.log.answerWindowHours} h)`)}</tr>
<tr><th>generated</th>${cell(report.generatedAt)}</tr>
</table>

<h2>Summary</h2>
<div class="grid">${figures.map(([label, n]) => `<div><b>${n}</b>${escapeHtml(label)}</div>`).join('')}</div>

<h2>Findings by kind</h2>
${
  kinds.length === 0
    ? '<p class="muted">None.</p>'
    : `<table><tr><th>kind</th><th>count</th><th>meaning</th></tr>
${kinds.map(([k, n]) => `<tr>${cell(k)}${num(n)}${cell(FINDING_KINDS[k])}</tr>`).join('\n')}
</table>`
}

<h2>Findings</h2>
${
  report.findings.length === 0
    ? '<p class="muted">None.</p>'
    : `<table><tr><th>#</th><th>kind</th><th>message ids</th><th>stream</th><th>where</th><th>detail</th></tr>
${limited(
  report.findings,
  (f, i) =>
    `<tr>${num(i + 1)}${cell(f.kind)}${ids(f.messageIds)}${cell(f.stream)}${cell(where(f))}${cell(f.detail)}</tr>`,
  6,
)}
</table>`
}

<h2>Streams</h2>
<table><tr><th>stream</th><th>records</th><th>entered</th><th>redeliveries</th><th>refused</th><th>head seq</th><th>head hash</th><th>first broker time</th><th>last broker time</th><th>findings</th></tr>
${limited(
  report.streams,
  (st) =>
    `<tr>${cell(st.stream)}${num(st.records)}${num(st.entered)}${num(st.redeliveries)}${num(st.refused)}${num(st.headSeq)}<td><code>${escapeHtml(st.headHash ?? '—')}</code></td>${cell(st.firstBrokerTimeIso)}${cell(st.lastBrokerTimeIso)}${num(st.findings)}</tr>`,
  10,
)}
</table>

<h2>Awaiting an answer</h2>
${
  report.awaitingAnswers.length === 0
    ? '<p class="muted">None.</p>'
    : `<p class="muted">Sent less than ${report.log.answerWindowHours} h before ${escapeHtml(report.log.asOf)}: not yet a finding.</p>
<table><tr><th>message id</th><th>stream</th><th>broker time</th></tr>
${limited(
  report.awaitingAnswers,
  (a) => `<tr>${ids([a.messageId])}${cell(a.stream)}${cell(a.brokerTimeIso)}</tr>`,
  3,
)}
</table>`
}
${rejectionsSection(report)}
${scoresSection(report)}
${campaignsSection(report)}
<p class="muted">report.json beside this page holds the same data, every row.</p>
</body>
</html>
`;
}
