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
  inLogOrder,
  PREFIX,
  T0,
  YIBIN,
} from '../../test/hand-log';
import { TopicRecord } from '../log/topic-record';
import { AuditDirectory } from '../verify/audit-directory';
import { LogVerifier } from '../verify/log-verifier';
import { scoreFromLog, scoringLog, verdictCounts } from './scoring-log';

/**
 * Issue 14 / DESIGN §7 "Bulk invariance": the same arrivals sent one by one
 * and in bulk, answered alike record by record, give the same score for
 * every pair — at the auditor (verified inbox topics) and at each node (its
 * own outbox and inbox rows).
 */

const PERIOD = { start: T0 - HOUR, end: T0 + 24 * HOUR };
const AS_OF = T0 + 48 * HOUR;
const SIGNATURE = 'S'.repeat(86);
const JWE = 'eyJhbGciOiJFQ0RILUVTIn0.AAAA.AAAA.AAAA.AAAA';
const AGREEMENT = uuidv7();
/** the other messages too carry the same ids in both logs, so that whole scores compare */
const OFFER = uuidv7();
const COUNTERSIGNATURE = uuidv7();
const NOTICE = uuidv7();
const TERMS: AgreementTermsV1 = {
  agreementId: AGREEMENT,
  version: 1,
  inflow: HUIZHOU,
  outflow: YIBIN,
  scope: [...SCOPE_DOMAINS],
  sla: { receiptHours: 24, responseHours: 120, taskHours: 360 },
  weights: { R: 20, V: 25, T: 25, Q: 15, S: 15 },
  termStart: '2025-12-01T00:00:00Z',
  termEnd: '2029-01-01T00:00:00Z',
  contacts: [],
};

/** What the outflow node made of each record, the same whichever way it travelled. */
type Answer = 'accepted' | { reason: string };

/** Ids fixed once, so that both forms carry the very same records. */
const ANSWERS: Answer[] = [
  'accepted',
  'accepted',
  'accepted',
  { reason: 'SCHEMA_INVALID' }, // "record already known": undecidable on the log
  { reason: 'NO_AGREEMENT' }, // the agreement is in force: unjustified
];
const ARRIVALS = ANSWERS.map((answer, i) => ({
  id: uuidv7(),
  recordId: uuidv7(),
  arrivedOn: `2026-01-0${i + 1}`,
  answer,
}));

function buildLog(form: 'alone' | 'bulk'): TopicRecord[] {
  const log = new HandLog();
  const offer = log.deliver(
    log.envelope(
      HUIZHOU,
      YIBIN,
      'agreement.proposed',
      { terms: TERMS, hash: sha256Base64url(canonicalJson(TERMS)), signature: SIGNATURE },
      { id: OFFER, agreementId: AGREEMENT },
    ),
  );
  log.receipt(offer);
  const countersigned = log.deliver(
    log.envelope(
      YIBIN,
      HUIZHOU,
      'agreement.countersigned',
      {
        agreementId: AGREEMENT,
        version: 1,
        hash: sha256Base64url(canonicalJson(TERMS)),
        signature: SIGNATURE,
      },
      { id: COUNTERSIGNATURE, agreementId: AGREEMENT },
    ),
  );
  log.receipt(countersigned);

  const readable = (a: (typeof ARRIVALS)[number]) => ({
    recordId: a.recordId,
    arrivedOn: a.arrivedOn,
    householdDivision: '511502',
  });
  if (form === 'alone') {
    for (const a of ARRIVALS) {
      const sent = log.deliver(
        log.envelope(
          HUIZHOU,
          YIBIN,
          'migrant.arrival',
          { ...readable(a), pii: JWE },
          { id: a.id, agreementId: AGREEMENT, correlationId: a.recordId },
        ),
      );
      log.deliver(
        a.answer === 'accepted'
          ? log.answerTo(sent)
          : log.answerTo(sent, 'rejection', { reason: a.answer.reason, detail: 'refused' }),
      );
    }
  } else {
    const sent = log.deliver(
      log.envelope(
        HUIZHOU,
        YIBIN,
        'migrant.arrival.bulk',
        {
          records: ARRIVALS.map((a) => ({
            id: a.id,
            correlationId: a.recordId,
            payload: readable(a),
          })),
          pii: JWE,
        },
        { agreementId: AGREEMENT },
      ),
    );
    const outcomes = ARRIVALS.map((a) =>
      a.answer === 'accepted'
        ? { id: a.id, outcome: 'accepted' }
        : { id: a.id, outcome: 'refused', reason: a.answer.reason, detail: 'refused' },
    );
    log.deliver(log.answerTo(sent, 'receipt', { outcomes }, { v: 2 }));
  }
  // the other direction, so that both pairs have items
  log.receipt(
    log.deliver(
      log.envelope(
        YIBIN,
        HUIZHOU,
        'notice',
        { category: 'policy', domain: 'publicity', pii: JWE },
        { id: NOTICE, agreementId: AGREEMENT },
      ),
    ),
  );
  return inLogOrder(log.records);
}

const envelopeOf = (record: TopicRecord) => JSON.parse(String(record.value)) as Envelope;
const inboxOf = (record: TopicRecord) => record.topic.split('.').pop() as string;

function auditedLog(records: TopicRecord[]) {
  const directory = new AuditDirectory(coordinator.signing.publicKey);
  for (const code of ALL_MEMBERS) directory.add(directoryRecord(code));
  const verifier = new LogVerifier(directory, PREFIX);
  for (const r of records) verifier.addInboxRecord(r);
  const result = verifier.finish({ rangeStart: null, asOf: AS_OF, answerWindowMs: 24 * HOUR });
  expect(result.findings.map((f) => f.kind)).toEqual([]);
  return scoringLog(verifier.messagesAsOf(AS_OF), AS_OF);
}

function nodeLog(records: TopicRecord[], code: string) {
  const sent: SentRow[] = [];
  const received: ReceivedRow[] = [];
  for (const record of records) {
    const envelope = envelopeOf(record);
    const json = JSON.stringify(envelope);
    if (inboxOf(record) === code) received.push({ envelope: json, brokerTime: record.timestamp });
    if (envelope.from === code) {
      sent.push({
        id: envelope.id,
        peer: envelope.to,
        hash: envelopeHash(envelope),
        envelope: json,
        brokerTime: record.timestamp,
      });
    }
  }
  return scoringLog(nodeLogRecords(sent, received).records, AS_OF);
}

describe('bulk invariance: records one by one or in bulk score the same', () => {
  const alone = buildLog('alone');
  const bulk = buildLog('bulk');
  const score = (log: ReturnType<typeof scoringLog>, evaluator: string, evaluated: string) =>
    scoreFromLog(log, { evaluator, evaluated, period: PERIOD, asOf: AS_OF });
  const pairs = [
    [HUIZHOU, YIBIN],
    [YIBIN, HUIZHOU],
  ] as const;

  it('carries the records in one envelope and one receipt', () => {
    expect(bulk.length).toBe(alone.length - 2 * (ARRIVALS.length - 1));
  });

  it.each(pairs)('scores %s → %s alike at the auditor, ids included', (evaluator, evaluated) => {
    const one: PairScore = score(auditedLog(alone), evaluator, evaluated);
    expect(score(auditedLog(bulk), evaluator, evaluated)).toEqual(one);
    expect(one.items).toBeGreaterThan(0);
  });

  it.each(pairs)('scores %s → %s alike at each node', (evaluator, evaluated) => {
    const audited = score(auditedLog(alone), evaluator, evaluated);
    for (const reader of [evaluator, evaluated]) {
      expect(score(nodeLog(bulk, reader), evaluator, evaluated)).toEqual(audited);
      expect(score(nodeLog(alone, reader), evaluator, evaluated)).toEqual(audited);
    }
  });

  it('counts the R items per record, the refused ones by their verdicts', () => {
    const r = score(auditedLog(bulk), HUIZHOU, YIBIN).indicators.R;
    // the offer and four of the five records: three receipts and the unjustified
    // NO_AGREEMENT (decided, not on time); the undecidable SCHEMA_INVALID leaves its record out
    expect(r).toMatchObject({ numerator: 4, denominator: 5 });
    for (const a of ARRIVALS.slice(0, 3)) expect(r.denominatorIds).toContain(a.id);
    expect(r.denominatorIds).not.toContain(ARRIVALS[3].id);
    const counts = (log: ReturnType<typeof scoringLog>) => verdictCounts(log.rejections, PERIOD);
    expect(counts(auditedLog(bulk))).toEqual(counts(auditedLog(alone)));
  });
});
