import { AgreementTermsV1, Envelope, SCOPE_DOMAINS } from '@yipanqi/contracts';
import { canonicalJson, sha256Base64url } from '@yipanqi/crypto';
import { PairScore } from '@yipanqi/evaluation';
import { envelopeHash } from '@yipanqi/exchange';
import { v7 as uuidv7 } from 'uuid';
import {
  nodeLogRecords,
  ReceivedRow,
  SentRow,
} from '../../../../apps/city-node/src/evaluation/log-records';
import {
  ALL_MEMBERS,
  coordinator,
  directoryRecord,
  HandLog,
  HOUR,
  HUIZHOU,
  idOf,
  inLogOrder,
  PREFIX,
  SHENZHEN,
  T0,
  YIBIN,
} from '../../test/hand-log';
import { TopicRecord } from '../log/topic-record';
import { recomputeCampaign } from '../rebuild/campaign-scores';
import { recomputeScores } from '../rebuild/pair-scores';
import { AuditDirectory } from '../verify/audit-directory';
import { LogVerifier } from '../verify/log-verifier';
import { scoreFromLog, scoringLog, unjustifiedRejectionFindings } from './scoring-log';

/**
 * Issue 13, "one derivation": one exchange log, read by the three readers —
 * the auditor and the coordinator from the verified inbox topics, each node
 * from its own outbox and inbox rows — gives the same figures and the same
 * message ids for every pair.
 */

const PERIOD = { start: T0 - HOUR, end: T0 + 24 * HOUR };
const AS_OF = T0 + 48 * HOUR;
const ANSWER_WINDOW = 24 * HOUR;
const SIGNATURE = 'S'.repeat(86);
const JWE = 'eyJhbGciOiJFQ0RILUVTIn0.AAAA.AAAA.AAAA.AAAA';

const AB = uuidv7(); // 441300 (inflow) – 511500 (outflow): proposed, amended, suspended, resumed
const AC = uuidv7(); // 441300 – 440300: crossing offers
const BC = uuidv7(); // 511500 – 440300: a countersignature the proposer rejects

const FIRST_WEIGHTS = { R: 20, V: 25, T: 25, Q: 15, S: 15 };
const AMENDED_WEIGHTS = { R: 40, V: 20, T: 20, Q: 10, S: 10 };
const AMENDED_SLA = { receiptHours: 12, responseHours: 48, taskHours: 96 };

function terms(
  agreementId: string,
  version: number,
  inflow: string,
  outflow: string,
  over: Partial<AgreementTermsV1> = {},
): AgreementTermsV1 {
  return {
    agreementId,
    version,
    inflow,
    outflow,
    scope: [...SCOPE_DOMAINS],
    sla: { receiptHours: 24, responseHours: 120, taskHours: 360 },
    weights: FIRST_WEIGHTS,
    termStart: '2025-12-01T00:00:00Z',
    termEnd: '2029-01-01T00:00:00Z',
    contacts: [],
    ...over,
  };
}

const utcSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const envelopeOf = (record: TopicRecord) => JSON.parse(String(record.value)) as Envelope;
const inboxOf = (record: TopicRecord) => record.topic.split('.').pop() as string;

/** The log, and which records the test looks at. */
function buildLog() {
  const log = new HandLog();
  const send = (
    from: string,
    to: string,
    type: string,
    payload: Record<string, unknown>,
    over: Partial<Envelope> = {},
  ) => log.deliver(log.envelope(from, to, type, payload, over));
  const receipt = (record: TopicRecord) => log.receipt(record);
  const reject = (record: TopicRecord, reason: string, detail = 'test') =>
    log.deliver(log.answerTo(record, 'rejection', { reason, detail }));
  /** sends and has the recipient receipt it at once */
  const sendReceipted = (...args: Parameters<typeof send>) => {
    const record = send(...args);
    receipt(record);
    return record;
  };
  const offer = (type: string, from: string, to: string, text: AgreementTermsV1) =>
    send(
      from,
      to,
      type,
      { terms: text, hash: sha256Base64url(canonicalJson(text)), signature: SIGNATURE },
      { agreementId: text.agreementId },
    );
  const countersign = (from: string, to: string, text: AgreementTermsV1) =>
    send(
      from,
      to,
      'agreement.countersigned',
      {
        agreementId: text.agreementId,
        version: text.version,
        hash: sha256Base64url(canonicalJson(text)),
        signature: SIGNATURE,
      },
      { agreementId: text.agreementId },
    );

  // 441300–511500: proposed, countersigned
  const ab1 = terms(AB, 1, HUIZHOU, YIBIN);
  receipt(offer('agreement.proposed', HUIZHOU, YIBIN, ab1));
  receipt(countersign(YIBIN, HUIZHOU, ab1));

  // 441300–440300: offers cross, 440300 countersigns 441300's text
  const acOurs = terms(AC, 1, HUIZHOU, SHENZHEN);
  const acTheirs = terms(AC, 1, HUIZHOU, SHENZHEN, { scope: ['publicity'] });
  const crossA = offer('agreement.proposed', HUIZHOU, SHENZHEN, acOurs);
  const crossB = offer('agreement.proposed', SHENZHEN, HUIZHOU, acTheirs);
  receipt(crossA);
  receipt(crossB);
  receipt(countersign(SHENZHEN, HUIZHOU, acOurs));

  // 511500–440300: proposed, countersigned, the countersignature rejected
  const bc1 = terms(BC, 1, YIBIN, SHENZHEN);
  receipt(offer('agreement.proposed', YIBIN, SHENZHEN, bc1));
  const badCountersignature = countersign(SHENZHEN, YIBIN, bc1);
  const countersignatureRejection = reject(badCountersignature, 'SCHEMA_INVALID', 'signature');

  // flow under the first text of 441300–511500
  sendReceipted(
    HUIZHOU,
    YIBIN,
    'notice',
    { category: 'policy', domain: 'publicity', pii: JWE },
    { agreementId: AB },
  );

  // the amendment: other SLA and weights
  const ab2 = terms(AB, 2, HUIZHOU, YIBIN, { sla: AMENDED_SLA, weights: AMENDED_WEIGHTS });
  receipt(offer('agreement.amended', HUIZHOU, YIBIN, ab2));
  receipt(countersign(YIBIN, HUIZHOU, ab2));

  // flow under the amended text
  const verification = uuidv7();
  const request = sendReceipted(
    HUIZHOU,
    YIBIN,
    'certificate.verify.requested',
    { verificationId: verification, pii: JWE },
    { agreementId: AB, correlationId: verification },
  );
  sendReceipted(
    YIBIN,
    HUIZHOU,
    'certificate.verify.answered',
    { verificationId: verification, result: 'VALID', answeredBy: 'staff' },
    { agreementId: AB, correlationId: verification, causationId: idOf(request) },
  );
  const task = uuidv7();
  const taskRequest = sendReceipted(
    HUIZHOU,
    YIBIN,
    'task.requested',
    { kind: 'investigation', domain: 'publicity', dueAt: utcSecond(T0 + 12 * HOUR), pii: JWE },
    { agreementId: AB, correlationId: task },
  );
  const step = { agreementId: AB, correlationId: task, causationId: idOf(taskRequest) };
  sendReceipted(YIBIN, HUIZHOU, 'task.accepted', { pii: JWE }, step);
  sendReceipted(YIBIN, HUIZHOU, 'task.completed', { outcome: 'done', pii: JWE }, step);

  // an unjustified rejection: NO_AGREEMENT of a notice under the active agreement
  const wronglyRejected = send(
    YIBIN,
    HUIZHOU,
    'notice',
    { category: 'other', domain: 'publicity', pii: JWE },
    { agreementId: AB },
  );
  const unjustified = reject(wronglyRejected, 'NO_AGREEMENT');

  // suspension: a notice sent meanwhile is rightly rejected
  sendReceipted(
    HUIZHOU,
    YIBIN,
    'agreement.suspended',
    { agreementId: AB, reason: 'audit' },
    { agreementId: AB },
  );
  const whileSuspended = send(
    YIBIN,
    HUIZHOU,
    'notice',
    { category: 'policy', domain: 'publicity', pii: JWE },
    { agreementId: AB },
  );
  const justified = reject(whileSuspended, 'AGREEMENT_INACTIVE');
  sendReceipted(
    HUIZHOU,
    YIBIN,
    'agreement.resumed',
    { agreementId: AB, reason: 'audit done' },
    { agreementId: AB },
  );

  sendReceipted(
    HUIZHOU,
    YIBIN,
    'evaluation.rated',
    {
      periodStart: utcSecond(PERIOD.start),
      periodEnd: utcSecond(PERIOD.end),
      criteria: { responsiveness: 5, dataQuality: 4, cooperation: 4, serviceQuality: 3 },
    },
    { agreementId: AB },
  );

  // flow under the crossing pair's agreement
  sendReceipted(
    SHENZHEN,
    HUIZHOU,
    'notice',
    { category: 'policy', domain: 'publicity', pii: JWE },
    { agreementId: AC },
  );

  return {
    log,
    afterAmendment: request,
    crossA,
    crossB,
    badCountersignature,
    countersignatureRejection,
    unjustified,
    justified,
  };
}

/** What each node's database holds of the log: its outbox and its inbox rows. */
function nodeTables(records: readonly TopicRecord[]) {
  const tables = new Map<string, { sent: SentRow[]; received: ReceivedRow[] }>(
    ALL_MEMBERS.map((code) => [code, { sent: [], received: [] }]),
  );
  for (const record of records) {
    const envelope = envelopeOf(record);
    const json = JSON.stringify(envelope);
    tables.get(inboxOf(record))?.received.push({ envelope: json, brokerTime: record.timestamp });
    tables.get(envelope.from)?.sent.push({
      id: envelope.id,
      peer: envelope.to,
      hash: envelopeHash(envelope),
      envelope: json,
      brokerTime: record.timestamp,
    });
  }
  return tables;
}

function nodeScoringLog(code: string, tables: ReturnType<typeof nodeTables>) {
  const { sent, received } = tables.get(code) as { sent: SentRow[]; received: ReceivedRow[] };
  const { records, unsent } = nodeLogRecords(sent, received);
  expect(unsent).toEqual([]);
  return scoringLog(records);
}

describe('one derivation: auditor, coordinator and nodes read one log alike', () => {
  const built = buildLog();
  const records = inLogOrder(built.log.records);

  const directory = new AuditDirectory(coordinator.signing.publicKey);
  for (const code of ALL_MEMBERS) directory.add(directoryRecord(code));
  const verifier = new LogVerifier(directory, PREFIX);
  for (const r of records) verifier.addInboxRecord(r);
  const result = verifier.finish({ rangeStart: null, asOf: AS_OF, answerWindowMs: ANSWER_WINDOW });
  const messages = verifier.messagesAsOf(AS_OF);

  const auditor = recomputeScores(messages, PERIOD, AS_OF);
  const campaign = recomputeCampaign(verifier.messagesAsOf(AS_OF), {
    participants: ALL_MEMBERS,
    period: PERIOD,
    asOf: AS_OF,
    weights: null,
  });
  const tables = nodeTables(records);
  const nodes = new Map(ALL_MEMBERS.map((code) => [code, nodeScoringLog(code, tables)]));

  const historyOf = (code: string) => (nodes.get(code) as ReturnType<typeof scoringLog>).history;
  const pairOf = (pairs: readonly PairScore[], evaluator: string, evaluated: string) =>
    pairs.find((p) => p.evaluator === evaluator && p.evaluated === evaluated);
  const ordered = ALL_MEMBERS.flatMap((x) =>
    ALL_MEMBERS.filter((y) => y !== x).map((y) => [x, y] as const),
  );

  it('verifies the log: signed, chained, every message answered once, nothing to report', () => {
    // every message answered once, every stream whole: the verifier has nothing to report
    expect(result.findings.map((f) => f.kind)).toEqual([]);
    expect(result.counts).toMatchObject({ inboxRecords: records.length, entered: records.length });
    expect(messages).toHaveLength(records.length);
    // what the auditor's report adds from the verdicts: the one unjustified rejection
    const unjustified = unjustifiedRejectionFindings(auditor.rejections);
    expect(unjustified.map((f) => [f.kind, f.messageIds[0]])).toEqual([
      ['UNJUSTIFIED_REJECTION', idOf(built.unjustified)],
    ]);
  });

  it.each(ordered)('scores %s → %s alike from every reading', (evaluator, evaluated) => {
    const audited = pairOf(auditor.pairs, evaluator, evaluated);
    expect(audited).toBeDefined();
    expect(pairOf(campaign.pairs, evaluator, evaluated)).toEqual(audited);
    for (const reader of [evaluator, evaluated]) {
      const own = scoreFromLog(nodes.get(reader) as ReturnType<typeof scoringLog>, {
        evaluator,
        evaluated,
        period: PERIOD,
        asOf: AS_OF,
      });
      expect(own).toEqual(audited);
    }
  });

  it('judges every rejection alike at the rejecting node and at the auditor', () => {
    const verdicts = (rejections: typeof auditor.rejections) =>
      new Map(rejections.map((r) => [r.rejectionId, r.verdict]));
    const audited = verdicts(auditor.rejections);
    expect(audited.size).toBe(3);
    for (const r of auditor.rejections) {
      const own = verdicts((nodes.get(r.by) as ReturnType<typeof scoringLog>).rejections);
      expect([r.rejectionId, own.get(r.rejectionId)]).toEqual([r.rejectionId, r.verdict]);
    }
    expect(audited.get(idOf(built.unjustified))).toBe('unjustified');
    expect(audited.get(idOf(built.justified))).toBe('justified');
    expect(audited.get(idOf(built.countersignatureRejection))).toBe('undecidable');
  });

  it('takes the amended text: its weights for the pair, its SLA for what followed it', () => {
    const weightsOf = (p: PairScore | undefined) =>
      p && Object.fromEntries(Object.entries(p.indicators).map(([code, i]) => [code, i.weight]));
    for (const pairs of [auditor.pairs, campaign.pairs]) {
      expect(weightsOf(pairOf(pairs, HUIZHOU, YIBIN))).toEqual(AMENDED_WEIGHTS);
      expect(weightsOf(pairOf(pairs, YIBIN, HUIZHOU))).toEqual(AMENDED_WEIGHTS);
      expect(weightsOf(pairOf(pairs, HUIZHOU, SHENZHEN))).toEqual(FIRST_WEIGHTS);
    }
    const after = built.afterAmendment.timestamp;
    const histories = [scoringLog(messages).history, ...[HUIZHOU, YIBIN].map(historyOf)];
    for (const history of histories) {
      expect(history.slaFor(AB, after, [HUIZHOU, YIBIN])).toEqual(AMENDED_SLA);
      expect(history.pairTermsAt(HUIZHOU, YIBIN, PERIOD.end)?.version).toBe(2);
    }
  });

  it('takes the countersigned one of the crossing offers, and no text whose countersignature was rejected', () => {
    const offered = (record: TopicRecord) => envelopeOf(record).payload.terms;
    const audited = scoringLog(messages).history;
    for (const history of [audited, ...[HUIZHOU, SHENZHEN].map(historyOf)]) {
      expect(history.pairTermsAt(HUIZHOU, SHENZHEN, PERIOD.end)).toEqual(offered(built.crossA));
      expect(history.pairTermsAt(HUIZHOU, SHENZHEN, PERIOD.end)).not.toEqual(offered(built.crossB));
    }
    for (const history of [audited, ...[YIBIN, SHENZHEN].map(historyOf)]) {
      expect(history.pairTermsAt(YIBIN, SHENZHEN, PERIOD.end)).toBeUndefined();
    }
    expect(
      auditor.rejections.find((r) => r.messageId === idOf(built.badCountersignature)),
    ).toMatchObject({
      by: YIBIN,
      of: SHENZHEN,
      reason: 'SCHEMA_INVALID',
    });
  });

  it('counts real items in the pairs it compares', () => {
    const ab = pairOf(auditor.pairs, HUIZHOU, YIBIN) as PairScore;
    expect(ab.items).toBeGreaterThan(0);
    expect(ab.score).not.toBe('n/a');
    expect(JSON.stringify(ab.indicators)).toContain(idOf(built.afterAmendment));
  });
});
