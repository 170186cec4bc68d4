import { finding, VerificationResult } from '@yipanqi/exchange-log';
import { buildReport } from './audit-report';
import { HTML_ROW_LIMIT, renderReportHtml } from './report-html';

const T = Date.UTC(2026, 0, 7);

function result(findings: VerificationResult['findings']): VerificationResult {
  return {
    findings,
    streams: [],
    awaiting: [],
    messages: [],
    counts: {
      directoryRecords: 3,
      directoryMembers: 3,
      inboxRecords: 0,
      envelopes: 0,
      entered: 0,
      receipts: 0,
      rejections: 0,
      redeliveries: 0,
      refused: 0,
      answersOutsideRange: 0,
    },
  };
}

const context = {
  source: { kind: 'archive' as const, path: '/archive', topicPrefix: 'yipanqi' },
  inboxTopics: ['yipanqi.inbox.441300'],
  from: null,
  to: null,
  cutAt: T,
  asOf: T,
  answerWindowMs: 24 * 3600_000,
  now: T,
};

describe('audit report', () => {
  it('counts findings by kind and flattens where each one is', () => {
    const report = buildReport(
      result([
        finding('SEQ_GAP', 'seq 3 missing', {
          messageIds: ['m4'],
          stream: '441300→511500',
          location: { topic: 'yipanqi.inbox.511500', partition: 1, offset: '7' },
        }),
        finding('ARCHIVE_FILE_HASH', 'changed', { file: 'x.ndjson' }),
      ]),
      undefined,
      [],
      context,
    );
    expect(report.verdict).toBe('discrepancies');
    expect(report.summary.findingsByKind).toEqual({ SEQ_GAP: 1, ARCHIVE_FILE_HASH: 1 });
    expect(report.findings[0]).toEqual({
      kind: 'SEQ_GAP',
      messageIds: ['m4'],
      stream: '441300→511500',
      topic: 'yipanqi.inbox.511500',
      partition: 1,
      offset: '7',
      file: null,
      detail: 'seq 3 missing',
    });
    expect(report.findingKinds.SEQ_GAP).toBe('the stream skips sequence numbers');
  });

  it('renders a page that escapes what the log says and needs nothing outside itself', () => {
    const report = buildReport(
      result([finding('UNPARSEABLE_RECORD', '<script>alert(1)</script> "x" & \'y\'')]),
      undefined,
      [],
      context,
    );
    const html = renderReportHtml(report);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &amp; &#39;y&#39;');
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/);
    expect(html).toContain('1 discrepancy');
  });

  it('keeps long tables readable and points to report.json for the rest', () => {
    const many = Array.from({ length: HTML_ROW_LIMIT + 5 }, (_, i) =>
      finding('UNANSWERED', `message ${i}`, { messageIds: [`m${i}`] }),
    );
    const html = renderReportHtml(buildReport(result(many), undefined, [], context));
    expect(html).toContain('… 5 more rows in report.json');
    expect(html).not.toContain(`m${HTML_ROW_LIMIT}<`);
  });

  it('lists each rejecting node’s rejections by verdict', () => {
    const judged = (rejectionId: string, by: string, verdict: 'justified' | 'unjustified') => ({
      rejectionId,
      messageId: `${rejectionId}-m`,
      by,
      of: '441300',
      reason: 'NO_AGREEMENT',
      verdict,
      messageBrokerTime: T,
      why: 'test',
    });
    const rejections = [
      judged('r1', '511500', 'justified'),
      judged('r2', '511500', 'unjustified'),
      judged('r3', '440300', 'unjustified'),
    ];
    const report = buildReport(result([]), undefined, [], context, rejections);
    expect(report.rejections.byNode).toEqual({
      '511500': { justified: 1, unjustified: 1, undecidable: 0 },
      '440300': { justified: 0, unjustified: 1, undecidable: 0 },
    });
    expect(renderReportHtml(report)).toMatch(
      /<td>440300<\/td><td class="n">0<\/td><td class="n">1<\/td><td class="n">0<\/td>/,
    );
  });
});
