import { v7 as uuidv7 } from 'uuid';
import { AgreementTermsV1, Envelope, SCOPE_DOMAINS } from '@yipanqi/contracts';
import {
  canonicalJson,
  exportPublicKeys,
  generateNodeKeys,
  NodeKeys,
  sha256Base64url,
} from '@yipanqi/crypto';
import { signDirectoryEntry } from '@yipanqi/directory';
import { DEFAULT_SLA } from '@yipanqi/evaluation';
import { envelopeHash } from '@yipanqi/exchange';
import {
  LogPlan,
  LogSink,
  LogSource,
  recomputeCampaign,
  TopicRecord,
  verifyLog,
} from '@yipanqi/exchange-log';
import { seal, Stream } from './envelopes';

/**
 * A synthetic, fully signed exchange log among `participants` nodes, built
 * the way nodes build theirs (numbered, chained, signed envelopes; every
 * message answered by a signed receipt in the sender's inbox at a later
 * broker time), and the coordinator's campaign computation over it: the
 * one way from log to verified messages (verifyLog, as CampaignLog calls it)
 * then recomputeCampaign. Only the Kafka read is replaced, by an in-memory
 * source, so the time is the computation's alone.
 *
 * Traffic mix per "unit" of a directed inflow → outflow pair, in the
 * proportions of the city campaign of DESIGN §10 (970,000 records, 130,000
 * certificate checks, 40,000 notifications ⇒ per 4 notices, 13 checks and
 * ≈ 96 arrival records): 4 notices, 13 certificate checks (request, answer),
 * 96 arrivals (one `migrant.arrival` each: the committed code has no bulk
 * form yet), one task (requested, accepted, completed), every message
 * receipted. pii members are real JWEs
 * of the right size (from the sample envelopes), reused: nothing decrypts them.
 */

const HOUR = 3600_000;
const SIGNATURE = 'S'.repeat(86);
const PREFIX = 'scale-campaign';

export interface CampaignLogShape {
  participants: number;
  /** each participant is the inflow side of this many pairs (with the next codes) */
  partnersPerNode: number;
  unitsPerPair: number;
  pii: { arrival: string; verification: string; notice: string; task: string };
}

export interface CampaignRun {
  participants: number;
  unitsPerPair: number;
  directedPairs: number;
  envelopes: number;
  /** person records (arrivals) */
  personRecords: number;
  logBytes: number;
  buildSeconds: number;
  /**
   * CPU seconds of this process (process.cpuUsage: all its threads, GC
   * included). The machine is shared, so wall time mostly says how busy the
   * other processes were; CPU time is the work, which is what scales.
   */
  verifySeconds: number;
  recomputeSeconds: number;
  totalSeconds: number;
  /** the same two phases in wall time, for reference */
  verifyWallSeconds: number;
  recomputeWallSeconds: number;
  /** heap verifyLog's result holds (its facts per delivery, the verified messages), after a GC; the log itself excluded */
  heapUsedMiB: number;
  scoredPairs: number;
  /** recomputeCampaign again with the participant list doubled by members that sent nothing */
  recomputeWithIdleParticipants?: {
    participants: number;
    scoredPairs: number;
    /** CPU seconds */
    seconds: number;
  };
}

/** CPU seconds this process has used (user + system, all threads). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

class SyntheticLog {
  readonly records: TopicRecord[] = [];
  private readonly streams = new Map<string, Stream>();
  private readonly offsets = new Map<string, number>();
  bytes = 0;
  constructor(
    private readonly keys: Map<string, NodeKeys>,
    public clock: number,
  ) {}

  send(
    from: string,
    to: string,
    type: string,
    payload: Record<string, unknown>,
    over: Partial<Pick<Envelope, 'v' | 'correlationId' | 'causationId' | 'agreementId'>> = {},
  ): { envelope: Envelope; at: number } {
    const key = `${from}→${to}`;
    let stream = this.streams.get(key);
    if (!stream) this.streams.set(key, (stream = { seq: 0, prevHash: null }));
    const sender = this.keys.get(from);
    if (!sender) throw new Error(`no keys for ${from}`);
    const envelope = seal(
      sender,
      stream,
      { type, from, to, payload, agreementId: null, ...over },
      new Date(this.clock).toISOString(),
    );
    const topic = `${PREFIX}.inbox.${to}`;
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    this.clock += 1000;
    const value = Buffer.from(JSON.stringify(envelope));
    this.bytes += value.length;
    this.records.push({
      topic,
      partition: 0,
      offset: String(offset),
      timestamp: this.clock,
      key: Buffer.from(from),
      headers: [
        { name: 'type', value: Buffer.from(type) },
        { name: 'id', value: Buffer.from(envelope.id) },
      ],
      value,
    });
    return { envelope, at: this.clock };
  }

  /** sends and has the recipient receipt it at the next broker time */
  receipted(...args: Parameters<SyntheticLog['send']>): Envelope {
    const { envelope, at } = this.send(...args);
    this.send(
      envelope.to,
      envelope.from,
      'receipt',
      {
        messageId: envelope.id,
        messageHash: envelopeHash(envelope),
        brokerTime: at,
      },
      {
        agreementId: envelope.agreementId,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
      },
    );
    return envelope;
  }
}

function terms(agreementId: string, inflow: string, outflow: string): AgreementTermsV1 {
  return {
    agreementId,
    version: 1,
    inflow,
    outflow,
    scope: [...SCOPE_DOMAINS],
    sla: { receiptHours: 24, responseHours: 120, taskHours: 360 },
    weights: { R: 20, V: 25, T: 25, Q: 15, S: 15 },
    termStart: '2025-12-01T00:00:00Z',
    termEnd: '2029-01-01T00:00:00Z',
    contacts: [],
  };
}

const utcSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function participantCodes(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(800000 + i));
}

function buildLog(shape: CampaignLogShape, coordinator: NodeKeys, start: number) {
  const codes = participantCodes(shape.participants);
  const keys = new Map(codes.map((c) => [c, generateNodeKeys()]));
  const directory: TopicRecord[] = codes.map((code, i) => ({
    topic: `${PREFIX}.directory`,
    partition: 0,
    offset: String(i),
    timestamp: start - 2 * HOUR,
    key: Buffer.from(code),
    headers: [],
    value: Buffer.from(
      JSON.stringify(
        signDirectoryEntry(
          {
            code,
            name: code,
            level: 'prefecture',
            status: 'active',
            keys: [{ ...exportPublicKeys(keys.get(code) as NodeKeys), validFrom: start - HOUR }],
            suspensions: [],
            version: 1,
            issuedAt: start - 2 * HOUR,
          },
          coordinator.signing.privateKey,
        ),
      ),
    ),
  }));
  const log = new SyntheticLog(keys, start);
  const pairs: [string, string, string][] = [];
  for (let i = 0; i < codes.length; i++) {
    for (let k = 1; k <= shape.partnersPerNode; k++) {
      const inflow = codes[i];
      const outflow = codes[(i + k) % codes.length];
      const agreementId = uuidv7();
      const text = terms(agreementId, inflow, outflow);
      const hash = sha256Base64url(canonicalJson(text));
      log.receipted(
        inflow,
        outflow,
        'agreement.proposed',
        { terms: text, hash, signature: SIGNATURE },
        { agreementId },
      );
      log.receipted(
        outflow,
        inflow,
        'agreement.countersigned',
        { agreementId, version: 1, hash, signature: SIGNATURE },
        { agreementId },
      );
      pairs.push([inflow, outflow, agreementId]);
    }
  }
  let personRecords = 0;
  for (let u = 0; u < shape.unitsPerPair; u++) {
    for (const [inflow, outflow, agreementId] of pairs) {
      const on = { agreementId };
      for (let n = 0; n < 4; n++) {
        log.receipted(
          inflow,
          outflow,
          'notice',
          { category: 'person', domain: 'information-exchange', pii: shape.pii.notice },
          on,
        );
      }
      for (let n = 0; n < 13; n++) {
        const verificationId = uuidv7();
        const request = log.receipted(
          inflow,
          outflow,
          'certificate.verify.requested',
          { verificationId, pii: shape.pii.verification },
          { ...on, correlationId: verificationId },
        );
        log.receipted(
          outflow,
          inflow,
          'certificate.verify.answered',
          { verificationId, result: 'VALID', answeredBy: 'automatic' },
          { ...on, correlationId: verificationId, causationId: request.id },
        );
      }
      for (let n = 0; n < 96; n++) {
        const recordId = uuidv7();
        personRecords++;
        log.receipted(
          inflow,
          outflow,
          'migrant.arrival',
          {
            recordId,
            arrivedOn: '2026-03-14',
            householdDivision: '511502',
            campaignId: 'qingli-2026-spring',
            pii: shape.pii.arrival,
          },
          { ...on, correlationId: recordId },
        );
      }
      const task = uuidv7();
      const request = log.receipted(
        inflow,
        outflow,
        'task.requested',
        {
          kind: 'investigation',
          domain: 'information-exchange',
          dueAt: utcSecond(log.clock + 200 * HOUR),
          pii: shape.pii.task,
        },
        { ...on, correlationId: task },
      );
      const step = { ...on, correlationId: task, causationId: request.id };
      log.receipted(outflow, inflow, 'task.accepted', { pii: shape.pii.task }, step);
      log.receipted(
        outflow,
        inflow,
        'task.completed',
        { outcome: 'done', pii: shape.pii.task },
        step,
      );
    }
  }
  return { codes, directory, log, pairs: pairs.length, personRecords };
}

/** The log in memory, handed over as a Kafka source would: directory, then each inbox in offset order. */
class MemorySource implements LogSource {
  readonly description = { kind: 'kafka' as const, brokers: [], topicPrefix: PREFIX };
  constructor(
    private readonly directory: TopicRecord[],
    private readonly inboxes: TopicRecord[],
    private readonly cutAt: number,
  ) {}
  open(): Promise<LogPlan> {
    return Promise.resolve({
      inboxTopics: [...new Set(this.inboxes.map((r) => r.topic))],
      nodes: null,
      evaluationRecords: 0,
      inboxRecords: this.inboxes.length,
      cutAt: this.cutAt,
      from: null,
      to: null,
      findings: [],
    });
  }
  async readDirectory(sink: LogSink): Promise<void> {
    for (const r of this.directory) await sink.record(r);
  }
  async readInboxes(sink: LogSink): Promise<void> {
    for (const r of this.inboxes) await sink.record(r);
  }
  readEvaluation(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export async function measureCampaign(
  shape: CampaignLogShape,
  options: { idleParticipants?: boolean; log: (line: string) => void },
): Promise<CampaignRun> {
  const coordinator = generateNodeKeys();
  const start = Date.UTC(2026, 2, 1);
  const t0 = performance.now();
  const built = buildLog(shape, coordinator, start);
  const buildSeconds = (performance.now() - t0) / 1000;
  const { log } = built;
  // each inbox in offset order, as KafkaSource reads partition by partition
  const inboxes = [...log.records].sort((a, b) =>
    a.topic === b.topic ? Number(a.offset) - Number(b.offset) : a.topic < b.topic ? -1 : 1,
  );
  const asOf = log.clock + HOUR;
  const period = { start, end: log.clock + 1 };
  options.log(
    `campaign: ${shape.participants} participants, ${inboxes.length} envelopes built in ${buildSeconds.toFixed(1)} s`,
  );

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  const c1 = cpuSeconds();
  const source = new MemorySource(built.directory, inboxes, asOf);
  const plan = await source.open();
  const verified = await verifyLog(source, plan, {
    coordinatorKey: coordinator.signing.publicKey,
    asOf,
    answerWindowMs: DEFAULT_SLA.receiptHours * HOUR,
  });
  const messages = verified.messagesAsOf(asOf);
  const verifySeconds = cpuSeconds() - c1;
  const verifyWallSeconds = (performance.now() - t1) / 1000;
  // run.sh starts node with --expose-gc: without a collection the figure is mostly garbage
  gc?.();
  const heapUsedMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if (verified.result.findings.length > 0) {
    throw new Error(
      `synthetic log has findings: ${verified.result.findings
        .slice(0, 3)
        .map((f) => `${f.kind} ${f.detail}`)
        .join('; ')}`,
    );
  }
  if (messages.length !== inboxes.length) {
    throw new Error(`${messages.length} of ${inboxes.length} envelopes entered their streams`);
  }

  const parameters = { participants: built.codes, period, asOf, weights: null };
  const t2 = performance.now();
  const c2 = cpuSeconds();
  const scores = recomputeCampaign(messages, parameters);
  const recomputeSeconds = cpuSeconds() - c2;
  const recomputeWallSeconds = (performance.now() - t2) / 1000;
  if (scores.ranking.length !== built.codes.length) throw new Error('ranking incomplete');

  let recomputeWithIdleParticipants: CampaignRun['recomputeWithIdleParticipants'];
  if (options.idleParticipants) {
    const participants = participantCodes(2 * shape.participants);
    const c3 = cpuSeconds();
    const more = recomputeCampaign(messages, { ...parameters, participants });
    recomputeWithIdleParticipants = {
      participants: participants.length,
      scoredPairs: more.pairs.length,
      seconds: cpuSeconds() - c3,
    };
  }
  return {
    participants: shape.participants,
    unitsPerPair: shape.unitsPerPair,
    directedPairs: built.pairs,
    envelopes: inboxes.length,
    personRecords: built.personRecords,
    logBytes: log.bytes,
    buildSeconds,
    verifySeconds,
    recomputeSeconds,
    totalSeconds: verifySeconds + recomputeSeconds,
    verifyWallSeconds,
    recomputeWallSeconds,
    heapUsedMiB,
    scoredPairs: scores.pairs.length,
    recomputeWithIdleParticipants,
  };
}
