import { KeyObject } from 'node:crypto';
import {
  Envelope,
  isAnswer,
  isStreamRejection,
  isValidDto,
  parseEnvelope,
  ReceiptPayloadV1,
  ReceiptPayloadV2,
  RejectionPayloadV1,
  RejectionReason,
} from '@yipanqi/contracts';
import { canonicalJson, verifyEd25519Async } from '@yipanqi/crypto';
import {
  LogRecord,
  logRecord,
  PiiForm,
  piiFormOf,
  readablePayload,
  RejectionVerdict,
} from '@yipanqi/evaluation';
import {
  checkStream,
  DropReason,
  envelopeHash,
  hasValidSignature,
  StreamPosition,
} from '@yipanqi/exchange';
import { inboxOwner, locationOf, RecordLocation, TopicRecord } from '../log/topic-record';
import { AuditDirectory } from './audit-directory';
import { Finding, finding, FindingKind, streamName } from './findings';
import { StreamChain } from './stream-chain';

/** Why a record cannot enter its stream, found from the record alone. */
type RecordRefusal =
  'KEY_MISMATCH' | 'UNKNOWN_SENDER' | 'BAD_SIGNATURE' | 'WRONG_SIGNER' | 'MISADDRESSED';

/** What the node records for each: it drops them all without an answer (DESIGN §3). */
const DROP_REASONS: Record<RecordRefusal, DropReason> = {
  KEY_MISMATCH: 'KEY_MISMATCH',
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  WRONG_SIGNER: 'BAD_SIGNATURE',
  MISADDRESSED: 'MISADDRESSED',
};

/** What the rules make of one delivered record. */
export type Outcome =
  | { kind: 'entered' }
  | { kind: 'redelivery' }
  /**
   * `published`: the node sends the sender a signed rejection — never for a
   * record it drops, nor for a second copy of a message it already refused
   */
  | { kind: 'refused'; reason: RejectionReason | DropReason; published: boolean };

/** What a receipt or rejection states about the message it answers. */
export interface AnswerClaim {
  messageId: string;
  messageHash: string;
  brokerTime: number;
  /** rejections only */
  reason?: RejectionReason;
}

/**
 * What an answer claims, when its payload passes the schema of its type
 * (version 1; a receipt also version 2, a bulk's); otherwise undefined, with the problems appended.
 */
function answerClaim(envelope: Envelope, problems: string[]): AnswerClaim | undefined {
  const { payload } = envelope;
  if (envelope.type === 'receipt' && envelope.v === 2) {
    // a bulk's receipt: the envelope's claim is the same, the outcomes are for scoring
    return isValidDto(ReceiptPayloadV2, payload, problems) ? payload : undefined;
  }
  if (envelope.v !== 1) {
    problems.push(`v${envelope.v}`);
    return undefined;
  }
  if (envelope.type === 'receipt') {
    return isValidDto(ReceiptPayloadV1, payload, problems) ? payload : undefined;
  }
  return isValidDto(RejectionPayloadV1, payload, problems) ? payload : undefined;
}

/** One inbox record that parsed as an envelope: the compact facts the checks need. */
interface Delivery {
  /** the envelope with its readable payload (`pii` is dropped: it is never needed) */
  envelope: Envelope;
  hash: string;
  /** what its `pii` member was, read before it was dropped */
  piiForm: PiiForm;
  /** the node whose inbox the record sits in */
  owner: string;
  brokerTime: number;
  location: RecordLocation;
  /** set when the directory or the topic already refuses it, before any stream check */
  refusal?: { kind: RecordRefusal };
  /** authentic receipts and rejections with a valid payload */
  claim?: AnswerClaim;
  outcome?: Outcome;
  /** the stream finding about this record, to which the recipient's contradiction is added */
  finding?: Finding;
  /** where the recipient's answer contradicts the rule on this log: the answer and what it says */
  contradiction?: { answerId: string; detail: string };
  /** id of the answer that answered this record */
  answeredBy?: string;
  /** a rejection for a stream reason: whether the rule on this log refuses what it answers */
  streamVerdict?: RejectionVerdict;
}

/**
 * A message that entered its stream: libs/evaluation's LogRecord, at the
 * broker time of the record that entered, in the recipient's inbox.
 */
export interface VerifiedMessage extends LogRecord {
  /**
   * Set on a rejection for a stream reason (SEQ_GAP, CHAIN_BROKEN, DUPLICATE,
   * and the never-sent BAD_SIGNATURE, UNKNOWN_SENDER): `justified` when the
   * node's stream rule on this log refuses the record it answers for that
   * reason, `unjustified` when the rule takes it, `undecidable` when the
   * stream is split over partitions (the log holds no order to judge by).
   * Only the stream walk can tell; scoring reads it (libs/exchange-log
   * scoring).
   */
  streamVerdict?: RejectionVerdict;
}

export interface StreamSummary {
  stream: string;
  from: string;
  to: string;
  records: number;
  entered: number;
  redeliveries: number;
  refused: number;
  /** the last seq and hash of the stream as the log holds it */
  headSeq: number;
  headHash: string | null;
  firstBrokerTime: number | null;
  lastBrokerTime: number | null;
  findings: number;
}

/** A message whose answer is not (yet) in the log but still within the answer window. */
export interface AwaitingAnswer {
  messageId: string;
  stream: string;
  brokerTime: number;
  location: RecordLocation;
}

export interface VerificationOptions {
  /** broker time at which a time-range replay starts; null: from the beginning of every inbox */
  rangeStart: number | null;
  /** the instant the log is judged at: answers later than it are not seen */
  asOf: number;
  /** a message younger than this at `asOf` may still be answered: awaiting, not UNANSWERED */
  answerWindowMs: number;
}

export interface VerificationResult {
  findings: Finding[];
  streams: StreamSummary[];
  awaiting: AwaitingAnswer[];
  /** messages that entered their stream, in log order: input to state and score rebuilding */
  messages: VerifiedMessage[];
  counts: {
    directoryRecords: number;
    directoryMembers: number;
    inboxRecords: number;
    envelopes: number;
    entered: number;
    receipts: number;
    rejections: number;
    redeliveries: number;
    refused: number;
    /** answers to messages before the replayed range: not checkable */
    answersOutsideRange: number;
  };
}

/**
 * The auditor's verification of the exchange log (DESIGN §8), with no I/O:
 * feed it the directory topic's records, then every inbox record (each
 * partition in offset order), then call `finish`. Records are reduced to
 * compact facts as they come so that a replay of millions of records keeps
 * ids and hashes in memory, not envelopes.
 *
 * Three passes:
 * 1. per record: parse, key and headers, the signature against the key the
 *    directory held at the record's broker time, the addressee;
 * 2. per stream, in log order: the log's own chain (StreamChain), and the
 *    node's own rule (`checkStream` from libs/exchange) — where the
 *    recipient's signed answer shows it decided otherwise than the rule does
 *    on this log, the log it read was not this one, and the walk follows the
 *    recipient from there so that one difference is reported once;
 * 3. per answer: signed by the recipient, the answered envelope exists with
 *    the quoted hash and broker time, one answer per message, none missing
 *    beyond the answer window.
 */
export class LogVerifier {
  private readonly findings: Finding[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly byId = new Map<string, Delivery[]>();
  /** authentic answers by the id of the message they answer */
  private readonly answers = new Map<string, Delivery[]>();
  private readonly lastOffset = new Map<string, bigint>();
  private readonly answerIds = new Set<string>();
  private inboxRecords = 0;
  /** set by `finish`: a time-range replay anchors each stream at its first record */
  private anchored = false;
  /** set by `finish`: streams whose records sit on more than one partition */
  private split = new Set<string>();

  constructor(
    private readonly directory: AuditDirectory,
    private readonly topicPrefix: string,
  ) {}

  /** A finding about the source itself (e.g. an archive file), reported as it is. */
  sourceFinding(f: Finding): void {
    this.findings.push(f);
  }

  /**
   * Pass 1 of one record, in log order. `prepared` is what
   * `prepareInboxRecord` computed of it ahead of time (on another thread, or
   * while earlier records were being checked); without it the record is
   * parsed, hashed and checked here, with the same result.
   */
  addInboxRecord(record: TopicRecord, prepared: PreparedRecord = parseRecord(record)): void {
    this.inboxRecords++;
    const location = locationOf(record);
    this.checkOrder(record);
    const owner = this.inboxOwner(record.topic);
    if ('error' in prepared) {
      this.report('UNPARSEABLE_RECORD', prepared.error, { location });
      return;
    }
    const { envelope, hash } = prepared;
    this.checkMetadata(record, envelope, owner);
    const delivery: Delivery = {
      // personal data is encrypted to the recipient and never needed: not even kept
      envelope: { ...envelope, payload: readablePayload(envelope.payload) },
      hash,
      piiForm: piiFormOf(envelope.payload),
      owner,
      brokerTime: record.timestamp,
      location,
    };
    delivery.refusal = this.authenticity(
      envelope,
      record.key?.toString('utf8'),
      record.timestamp,
      owner,
      location,
      prepared.checked,
    );
    if (!delivery.refusal && isAnswer(envelope.type)) this.readClaim(delivery, envelope);
    this.deliveries.push(delivery);
    const same = this.byId.get(envelope.id);
    if (same) same.push(delivery);
    else this.byId.set(envelope.id, [delivery]);
  }

  /**
   * The costly part of pass 1 of `record`, started ahead of `addInboxRecord`:
   * parsed and hashed here, and its signature checked against the key the
   * directory held for its sender at its broker time on libuv's threadpool,
   * so that many records are checked at once on every core. Nothing is
   * reported or kept: pass the result, once `signature` has settled, to
   * `addInboxRecord` in log order. Call it only once the directory topic has
   * been read whole — the key is looked up now.
   */
  prepareInboxRecord(record: TopicRecord): {
    prepared: PreparedRecord;
    signature?: Promise<SignatureCheck>;
  } {
    const prepared = parseRecord(record);
    if ('error' in prepared) return { prepared };
    const { envelope } = prepared;
    // the same conditions as authenticity(): only a record that gets that far is checked
    if (record.key?.toString('utf8') !== envelope.from) return { prepared };
    const key = this.directory.signingKeyAt(envelope.from, record.timestamp);
    if (!key) return { prepared };
    const signature = hasValidSignatureAsync(envelope, key).then((valid) => {
      prepared.checked = { key, valid };
      return prepared.checked;
    });
    return { prepared, signature };
  }

  finish(options: VerificationOptions): VerificationResult {
    this.anchored = options.rangeStart !== null;
    const streams = this.walkStreams();
    const { awaiting, outsideRange } = this.checkAnswers(options);
    const findings = [...this.directory.findings, ...this.findings];
    const byName = new Map(streams.map((s) => [s.stream, s]));
    for (const f of findings) {
      const summary = f.stream === null ? undefined : byName.get(f.stream);
      if (summary) summary.findings++;
    }
    const entered = inArrivalOrder(this.deliveries).filter((d) => d.outcome?.kind === 'entered');
    const count = (type: string) => entered.filter((d) => d.envelope.type === type).length;
    return {
      findings,
      streams,
      awaiting,
      messages: entered.map((d) => verifiedMessage(d, d.streamVerdict)),
      counts: {
        directoryRecords: this.directory.records,
        directoryMembers: this.directory.codes().length,
        inboxRecords: this.inboxRecords,
        envelopes: this.deliveries.length,
        entered: entered.length,
        receipts: count('receipt'),
        rejections: count('rejection'),
        redeliveries: this.deliveries.filter((d) => d.outcome?.kind === 'redelivery').length,
        refused: this.deliveries.filter((d) => d.outcome?.kind === 'refused').length,
        answersOutsideRange: outsideRange,
      },
    };
  }

  /**
   * The messages that entered their streams on the log as it stood at broker
   * time `cut`: records and answers appended later are not seen, so nothing
   * written after a campaign's as-of — a late answer, a record filling a
   * gap, a copy under another key — can change what it counted. Call after
   * `finish` (it fixes whether streams are anchored at a time range).
   */
  messagesAsOf(cut: number): VerifiedMessage[] {
    const walk = new RuleWalk(this.anchored);
    const entered: Delivery[] = [];
    const verdicts = new Map<Delivery, RejectionVerdict>();
    for (const d of inArrivalOrder(this.deliveries)) {
      if (d.brokerTime > cut || d.refusal) continue;
      const said = this.recipientAnswer(d, cut);
      const { outcome, contradiction } = walk.next(d, said);
      const split = this.split.has(streamName(d.envelope.from, d.owner));
      const verdict = streamVerdict(said, contradiction, split);
      if (said && verdict) verdicts.set(said, verdict);
      if (outcome.kind === 'entered') entered.push(d);
    }
    return entered.map((d) => verifiedMessage(d, verdicts.get(d)));
  }

  // ── pass 1: one record ────────────────────────────────────────────────────

  private inboxOwner(topic: string): string {
    const owner = inboxOwner(this.topicPrefix, topic);
    if (owner === undefined) throw new Error(`${topic} is not an inbox topic`);
    return owner;
  }

  /** Kafka hands out a partition in offset order; anything else was rearranged. */
  private checkOrder(record: TopicRecord): void {
    const key = `${record.topic}/${record.partition}`;
    const offset = BigInt(record.offset);
    const last = this.lastOffset.get(key);
    if (last !== undefined && offset <= last) {
      this.report('RECORD_ORDER', `offset ${offset} comes after offset ${last}`, {
        location: locationOf(record),
      });
    }
    if (last === undefined || offset > last) this.lastOffset.set(key, offset);
  }

  private checkMetadata(record: TopicRecord, envelope: Envelope, owner: string): void {
    const problems: string[] = [];
    const key = record.key?.toString('utf8');
    if (key !== envelope.from) problems.push(`record key ${key ?? 'null'} is not ${envelope.from}`);
    for (const name of ['type', 'id'] as const) {
      const values = record.headers.filter((h) => h.name === name).map((h) => h.value.toString());
      if (values.length !== 1 || values[0] !== envelope[name]) {
        problems.push(`header ${name} is ${values.join(',') || 'missing'}, not ${envelope[name]}`);
      }
    }
    if (problems.length > 0) {
      this.report('RECORD_METADATA_MISMATCH', problems.join('; '), {
        messageIds: [envelope.id],
        // a record under another key is not on its sender's stream: no finding of that stream
        stream: key === envelope.from ? streamName(envelope.from, owner) : null,
        location: locationOf(record),
      });
    }
  }

  /** The node's first checks (checkStream's order): record key, sender known, signature, addressee. */
  private authenticity(
    envelope: Envelope,
    recordKey: string | undefined,
    brokerTime: number,
    owner: string,
    location: RecordLocation,
    checked: SignatureCheck | undefined,
  ): Delivery['refusal'] {
    // reported by checkMetadata as a transport anomaly; it is not on its sender's stream
    if (recordKey !== envelope.from) return { kind: 'KEY_MISMATCH' };
    const about = {
      messageIds: [envelope.id],
      stream: streamName(envelope.from, owner),
      location,
    };
    const at = new Date(brokerTime).toISOString();
    const key = this.directory.signingKeyAt(envelope.from, brokerTime);
    if (!key) {
      this.report('UNKNOWN_SENDER', `${envelope.from} was not an active member at ${at}`, about);
      return { kind: 'UNKNOWN_SENDER' };
    }
    const valid = checked?.key === key ? checked.valid : hasValidSignature(envelope, key);
    if (!valid) {
      const verifies = (k: KeyObject) => hasValidSignature(envelope, k);
      const signer = this.directory.signerAmong(verifies, brokerTime, envelope.from);
      if (signer) {
        this.report(
          'WRONG_SIGNER',
          `claims to be from ${envelope.from} but is signed with ${signer}'s key valid at ${at}`,
          about,
        );
        return { kind: 'WRONG_SIGNER' };
      }
      this.report(
        'BAD_SIGNATURE',
        `does not verify with ${envelope.from}'s key valid at ${at}, nor any other member's`,
        about,
      );
      return { kind: 'BAD_SIGNATURE' };
    }
    if (envelope.to !== owner) {
      this.report('MISADDRESSED', `addressed to ${envelope.to} but in ${owner}'s inbox`, about);
      return { kind: 'MISADDRESSED' };
    }
    return undefined;
  }

  private readClaim(delivery: Delivery, envelope: Envelope): void {
    const problems: string[] = [];
    const claim = answerClaim(envelope, problems);
    if (claim && envelope.causationId !== claim.messageId) {
      problems.push(`causationId ${envelope.causationId} is not messageId ${claim.messageId}`);
    }
    // an answer delivered twice is one answer: judge (and report) it once
    if (this.answerIds.has(envelope.id)) return;
    this.answerIds.add(envelope.id);
    if (!claim || problems.length > 0) {
      this.report('ANSWER_MALFORMED', problems.join('; '), {
        messageIds: [envelope.id],
        stream: streamName(envelope.from, envelope.to),
        location: delivery.location,
      });
      return;
    }
    delivery.claim = {
      messageId: claim.messageId,
      messageHash: claim.messageHash,
      brokerTime: claim.brokerTime,
      reason: claim.reason,
    };
    const list = this.answers.get(claim.messageId);
    if (list) list.push(delivery);
    else this.answers.set(claim.messageId, [delivery]);
  }

  // ── pass 2: streams ───────────────────────────────────────────────────────

  private walkStreams(): StreamSummary[] {
    const summaries = new Map<string, StreamSummary>();
    const chains = new Map<string, StreamChain>();
    // per inbox, like the node's inbox table: id → hash of what was seen (chain)
    const seenIds = new Map<string, Map<string, string>>();
    const refusedIn = new Map<string, Delivery[]>();
    // per stream: the partition its records sit on, once they first did
    const homes = new Map<string, number>();
    const split = new Set<string>();
    const judged: { said: Delivery; contradiction: Delivery['contradiction']; name: string }[] = [];
    const walk = new RuleWalk(this.anchored);
    const ordered = inArrivalOrder(this.deliveries);

    for (const d of ordered) {
      const e = d.envelope;
      const name = streamName(e.from, d.owner);
      if (d.refusal?.kind === 'KEY_MISMATCH') {
        // not on its sender's stream (DESIGN §3): a transport finding of its own, no stream figure
        d.outcome = { kind: 'refused', reason: 'KEY_MISMATCH', published: false };
        continue;
      }
      let summary = summaries.get(name);
      if (!summary) {
        summary = emptySummary(name, e.from, d.owner);
        summaries.set(name, summary);
      }
      summary.records++;
      summary.firstBrokerTime = Math.min(summary.firstBrokerTime ?? Infinity, d.brokerTime);
      summary.lastBrokerTime = Math.max(summary.lastBrokerTime ?? -Infinity, d.brokerTime);
      if (d.refusal) {
        const refused = refusedIn.get(name);
        if (refused) refused.push(d);
        else refusedIn.set(name, [d]);
        d.outcome = { kind: 'refused', reason: DROP_REASONS[d.refusal.kind], published: false };
        continue;
      }
      this.checkHome(homes, split, name, d);
      let chain = chains.get(name);
      if (!chain) {
        chain = new StreamChain(name, this.anchored);
        chains.set(name, chain);
      }
      d.finding = this.walkChain(
        chain,
        mapFor(seenIds, d.owner, () => new Map<string, string>()),
        d,
      );
      const said = this.recipientAnswer(d, Infinity);
      const { outcome, contradiction } = walk.next(d, said);
      d.outcome = outcome;
      // across partitions the log holds no order: the recipient's answers are the only evidence of it
      if (!split.has(name)) d.contradiction = contradiction;
      if (said) judged.push({ said, contradiction, name });
    }

    this.split = split;
    // a stream found split later is split for all its records
    for (const { said, contradiction, name } of judged) {
      said.streamVerdict = streamVerdict(said, contradiction, split.has(name));
    }
    for (const [name, chain] of chains) {
      this.findings.push(...chain.findings);
      explainGaps(chain, refusedIn.get(name) ?? []);
      const summary = summaries.get(name) as StreamSummary;
      summary.headSeq = chain.head.seq;
      summary.headHash = chain.head.hash;
    }
    this.reportContradictions(ordered);
    for (const d of this.deliveries) {
      const summary = summaries.get(streamName(d.envelope.from, d.owner));
      if (!summary) continue;
      if (d.outcome?.kind === 'entered') summary.entered++;
      if (d.outcome?.kind === 'redelivery') summary.redeliveries++;
      if (d.outcome?.kind === 'refused') summary.refused++;
    }
    return [...summaries.values()].sort((a, b) => a.stream.localeCompare(b.stream));
  }

  /**
   * The record key puts a sender's stream on one partition of the inbox; its
   * records on another were placed there by the producer (or partitions were
   * added). Reported once per stream and partition, as a transport finding:
   * the stream itself is judged in arrival order across partitions.
   */
  private checkHome(homes: Map<string, number>, split: Set<string>, name: string, d: Delivery) {
    const home = homes.get(name);
    if (home === undefined) {
      homes.set(name, d.location.partition);
      return;
    }
    const place = `${name}@${d.location.partition}`;
    if (home === d.location.partition || split.has(place)) return;
    split.add(name);
    split.add(place);
    this.report(
      'STREAM_SPLIT',
      `${name} seq ${d.envelope.seq} is on partition ${d.location.partition}; ` +
        `the stream's earlier records are on partition ${home}`,
      { messageIds: [d.envelope.id], location: d.location },
    );
  }

  /**
   * Added to the stream finding of the same record when there is one (the
   * chain finding says what is wrong with the log, this says the recipient
   * saw otherwise), else reported on their own. Done after the walk because
   * a later record can still turn a gap into a reordering.
   */
  private reportContradictions(ordered: Delivery[]): void {
    for (const d of ordered) {
      if (!d.contradiction) continue;
      const { answerId, detail } = d.contradiction;
      if (d.finding) {
        d.finding.detail += `; seq ${d.envelope.seq}: ${detail}`;
        d.finding.messageIds.push(answerId);
      } else {
        this.report('ANSWER_CONTRADICTS_LOG', `seq ${d.envelope.seq}: ${detail}`, {
          messageIds: [d.envelope.id, answerId],
          stream: streamName(d.envelope.from, d.owner),
          location: d.location,
        });
      }
    }
  }

  private walkChain(
    chain: StreamChain,
    seen: Map<string, string>,
    d: Delivery,
  ): Finding | undefined {
    const e = d.envelope;
    const prior = seen.get(e.id);
    if (prior === d.hash) return undefined;
    if (prior !== undefined) {
      return this.report('DUPLICATE', `id ${e.id} was delivered before with other content`, {
        messageIds: [e.id],
        stream: streamName(e.from, d.owner),
        location: d.location,
      });
    }
    seen.set(e.id, d.hash);
    const f = chain.add({ id: e.id, seq: e.seq, prevHash: e.prevHash, hash: d.hash });
    if (f) f.location ??= d.location;
    return f;
  }

  /**
   * The recipient's authentic answer about this very record: it quotes the
   * record's hash, and its broker time when a message was delivered more than
   * once; the first record with that content otherwise. Only answers in the
   * log by broker time `cut` count.
   */
  private recipientAnswer(d: Delivery, cut: number): Delivery | undefined {
    const e = d.envelope;
    const candidates = (this.answers.get(e.id) ?? []).filter(
      (a) =>
        a.brokerTime <= cut &&
        a.envelope.from === d.owner &&
        a.envelope.to === e.from &&
        a.claim?.messageHash === d.hash,
    );
    const exact = candidates.find((a) => a.claim?.brokerTime === d.brokerTime);
    if (exact) return exact;
    const first = (this.byId.get(e.id) ?? []).find(
      (x) => x.owner === d.owner && x.hash === d.hash && !x.refusal,
    );
    return first === d ? candidates[0] : undefined;
  }

  // ── pass 3: answers ───────────────────────────────────────────────────────

  private checkAnswers(options: VerificationOptions): {
    awaiting: AwaitingAnswer[];
    outsideRange: number;
  } {
    let outsideRange = 0;
    const answers = [...this.answers.values()].flat().sort(inLogOrder);
    for (const a of answers) {
      if (!this.checkAnswer(a, options.rangeStart)) outsideRange++;
    }
    const awaiting: AwaitingAnswer[] = [];
    for (const d of this.deliveries) {
      if (!expectsAnswer(d) || d.answeredBy) continue;
      const stream = streamName(d.envelope.from, d.owner);
      const waiting = d.brokerTime + options.answerWindowMs > options.asOf;
      if (waiting) {
        awaiting.push({
          messageId: d.envelope.id,
          stream,
          brokerTime: d.brokerTime,
          location: d.location,
        });
        continue;
      }
      const what =
        d.outcome?.kind === 'refused' ? `rejection ${d.outcome.reason}` : 'receipt or rejection';
      this.report(
        'UNANSWERED',
        `${d.envelope.type} seq ${d.envelope.seq} at ${new Date(d.brokerTime).toISOString()} ` +
          `has no ${what} from ${d.owner} by ${new Date(options.asOf).toISOString()}`,
        { messageIds: [d.envelope.id], stream, location: d.location },
      );
    }
    return { awaiting, outsideRange };
  }

  /** Checks one answer; false when it answers a message before the replayed range. */
  private checkAnswer(a: Delivery, rangeStart: number | null): boolean {
    const claim = a.claim as AnswerClaim;
    const answerer = a.envelope.from;
    const report = (kind: FindingKind, detail: string, ids: string[] = []) =>
      this.report(kind, detail, {
        messageIds: [a.envelope.id, claim.messageId, ...ids],
        stream: streamName(a.envelope.from, a.envelope.to),
        location: a.location,
      });
    const all = this.byId.get(claim.messageId) ?? [];
    const inInbox = all.filter((d) => d.owner === answerer);
    if (inInbox.length === 0) {
      if (all.length > 0) {
        report(
          'ANSWER_NOT_FROM_RECIPIENT',
          `${a.envelope.type} signed by ${answerer}, but ${claim.messageId} was delivered to ${all[0].owner}`,
        );
      } else if (rangeStart !== null && claim.brokerTime < rangeStart) {
        return false;
      } else {
        report('ANSWER_UNKNOWN_MESSAGE', `${claim.messageId} is not in ${answerer}'s inbox`);
      }
      return true;
    }
    const fromSender = inInbox.filter((d) => d.envelope.from === a.envelope.to);
    if (fromSender.length === 0) {
      report(
        'ANSWER_UNKNOWN_MESSAGE',
        `${a.envelope.to} sent no ${claim.messageId} to ${answerer} (it came from ${inInbox[0].envelope.from})`,
      );
      return true;
    }
    const same = fromSender.filter((d) => d.hash === claim.messageHash);
    if (same.length === 0) {
      report(
        'ANSWER_HASH_MISMATCH',
        `quotes hash ${claim.messageHash}, the log has ${[...new Set(fromSender.map((d) => d.hash))].join(', ')}`,
      );
      return true;
    }
    const expecting = same.filter(expectsAnswer);
    if (expecting.length === 0) {
      // redeliveries only, a refused answer, or a dropped record (never answered)
      if (isAnswer(same[0].envelope.type)) {
        report(
          'ANSWER_CONTRADICTS_LOG',
          `answers a ${same[0].envelope.type}: answers are never answered`,
        );
      } else if (same.every((d) => d.refusal)) {
        report(
          'ANSWER_CONTRADICTS_LOG',
          `answers a record the node must drop unanswered (${same[0].refusal?.kind})`,
        );
      }
      return true;
    }
    const target =
      expecting.find((d) => d.brokerTime === claim.brokerTime && !d.answeredBy) ??
      expecting.find((d) => !d.answeredBy);
    if (!target) {
      report(
        'DUPLICATE_ANSWER',
        `${claim.messageId} was answered already by ${expecting[0].answeredBy}`,
        [expecting[0].answeredBy as string],
      );
      return true;
    }
    target.answeredBy = a.envelope.id;
    if (target.brokerTime !== claim.brokerTime) {
      report(
        'ANSWER_BROKER_TIME',
        `states brokerTime ${claim.brokerTime} (${isoOrRaw(claim.brokerTime)}), ` +
          `the record has ${target.brokerTime} (${isoOrRaw(target.brokerTime)})`,
      );
    }
    return true;
  }

  private report(
    kind: FindingKind,
    detail: string,
    about: Partial<Omit<Finding, 'kind' | 'detail'>>,
  ): Finding {
    const f = finding(kind, detail, about);
    this.findings.push(f);
    return f;
  }
}

/** The node answers every message but answers, redeliveries and refusals it cannot send. */
function expectsAnswer(d: Delivery): boolean {
  if (isAnswer(d.envelope.type) || d.envelope.from === d.owner) return false;
  const o = d.outcome;
  return o?.kind === 'entered' || (o?.kind === 'refused' && o.published);
}

/** A gap whose seqs are in the log only as refused records says which ones. */
function explainGaps(chain: StreamChain, refused: Delivery[]): void {
  for (const { finding: gap, missing } of chain.openGaps()) {
    for (const d of refused) {
      if (!missing.includes(d.envelope.seq)) continue;
      gap.detail += `; seq ${d.envelope.seq} is in the log only as ${d.envelope.id}, refused ${d.refusal?.kind}`;
      gap.messageIds.push(d.envelope.id);
    }
  }
}

/**
 * The node's rule (`checkStream` of libs/exchange) over one walk of the log,
 * in arrival order: each stream's position and, per inbox, what entered —
 * unless the recipient's signed answer says it decided otherwise. Then the
 * recipient read another log than this one (a record missing, altered or
 * reordered here): `next` says so, and the walk follows what it did.
 */
class RuleWalk {
  private readonly positions = new Map<string, StreamPosition>();
  /** per inbox, like the node's inbox table: id → hash of what entered */
  private readonly entered = new Map<string, Map<string, string>>();
  /** per inbox: id/hash of what the rule refused and the node answered once */
  private readonly answeredRefusals = new Map<string, Set<string>>();

  constructor(private readonly anchored: boolean) {}

  next(
    d: Delivery,
    said: Delivery | undefined,
  ): { outcome: Outcome; contradiction?: Delivery['contradiction'] } {
    const e = d.envelope;
    const name = streamName(e.from, d.owner);
    let position = this.positions.get(name);
    if (!position) {
      position = this.anchored
        ? { lastSeq: e.seq - 1, lastHash: e.prevHash }
        : { lastSeq: 0, lastHash: null };
      this.positions.set(name, position);
    }
    const entered = mapFor(this.entered, d.owner, () => new Map<string, string>());
    const verdict = checkStream({
      envelope: e,
      hash: d.hash,
      me: d.owner,
      key: e.from,
      senderKnown: true,
      signatureValid: true,
      position,
      priorHash: entered.get(e.id),
    });
    if (verdict.verdict === 'redelivery') return { outcome: { kind: 'redelivery' } };
    const rule: Outcome =
      verdict.verdict === 'next'
        ? { kind: 'entered' }
        : { kind: 'refused', reason: verdict.reason, published: verdict.verdict === 'refuse' };
    const decided = this.recipientDecision(rule, said);
    const outcome = this.onceRefused(d, decided.outcome);
    if (outcome.kind === 'entered') {
      entered.set(e.id, d.hash);
      if (e.seq > position.lastSeq) this.positions.set(name, { lastSeq: e.seq, lastHash: d.hash });
    }
    return { outcome, contradiction: decided.contradiction };
  }

  private recipientDecision(
    rule: Outcome,
    said: Delivery | undefined,
  ): { outcome: Outcome; contradiction?: Delivery['contradiction'] } {
    if (!said?.claim) return { outcome: rule };
    const saidReason = said.envelope.type === 'rejection' ? said.claim.reason : undefined;
    const recipient: Outcome =
      saidReason && isStreamRejection(saidReason)
        ? { kind: 'refused', reason: saidReason, published: true }
        : { kind: 'entered' };
    if (rule.kind === recipient.kind && (rule.kind === 'entered' || rule.reason === saidReason)) {
      return { outcome: rule };
    }
    const ruleSays = rule.kind === 'refused' ? `refuses it ${rule.reason}` : 'takes it';
    const recipientSays =
      recipient.kind === 'refused' ? `refused it ${recipient.reason}` : 'took it';
    return {
      outcome: recipient,
      contradiction: {
        answerId: said.envelope.id,
        detail:
          `on this log the rule ${ruleSays}, but the recipient ${recipientSays} ` +
          `(${said.envelope.type} ${said.envelope.id}): the log it read differs from this one`,
      },
    };
  }

  /** A second copy of a message the node already refused gets no second rejection. */
  private onceRefused(d: Delivery, outcome: Outcome): Outcome {
    if (outcome.kind !== 'refused' || !outcome.published) return outcome;
    const answered = mapFor(this.answeredRefusals, d.owner, () => new Set<string>());
    const copy = `${d.envelope.id}/${d.hash}`;
    const first = !answered.has(copy);
    answered.add(copy);
    return first ? outcome : { ...outcome, published: false };
  }
}

/** A signature checked ahead of time, and the key it was checked with. */
export interface SignatureCheck {
  key: KeyObject;
  valid: boolean;
}

/** What pass 1 computes of a record before it judges it: the parsed envelope and its hash. */
export type PreparedRecord =
  { envelope: Envelope; hash: string; checked?: SignatureCheck } | { error: string };

/** Parses and hashes one inbox record: pure, so it can run ahead of the records before it. */
function parseRecord(record: TopicRecord): PreparedRecord {
  let envelope: Envelope;
  try {
    if (record.value === null) throw new Error('empty record');
    envelope = parseEnvelope(record.value);
  } catch (err) {
    return { error: (err as Error).message };
  }
  return { envelope, hash: envelopeHash(envelope) };
}

/**
 * hasValidSignature of libs/exchange (Ed25519 over the RFC 8785 form of every
 * field but `sig`), on libuv's threadpool.
 */
function hasValidSignatureAsync(envelope: Envelope, key: KeyObject): Promise<boolean> {
  const { sig, ...unsigned } = envelope;
  return verifyEd25519Async(canonicalJson(unsigned), sig, key);
}

/**
 * Records in the order they reached the log: each partition in offset order,
 * partitions merged by broker time (a partition's time taken as its running
 * maximum, so a broker clock stepping back cannot reorder one partition).
 * Only one partition's offsets give an order; across partitions broker time
 * is the best evidence there is.
 */
function inArrivalOrder(deliveries: readonly Delivery[]): Delivery[] {
  const partitions = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const key = `${d.location.topic}\u0000${d.location.partition}`;
    const list = partitions.get(key);
    if (list) list.push(d);
    else partitions.set(key, [d]);
  }
  const keyed: { d: Delivery; at: number }[] = [];
  for (const list of partitions.values()) {
    list.sort((x, y) => compareOffsets(x.location.offset, y.location.offset));
    let at = -Infinity;
    for (const d of list) {
      at = Math.max(at, d.brokerTime);
      keyed.push({ d, at });
    }
  }
  // Array.prototype.sort is stable: equal times keep partition order
  keyed.sort((x, y) => x.at - y.at || inLogOrder(x.d, y.d));
  return keyed.map((k) => k.d);
}

function verifiedMessage(
  { envelope, brokerTime, piiForm }: Delivery,
  streamVerdict: RejectionVerdict | undefined,
): VerifiedMessage {
  const record = logRecord(envelope, brokerTime, piiForm);
  return streamVerdict ? { ...record, streamVerdict } : record;
}

/**
 * The verdict on the recipient's rejection `said` of a record when it gives
 * a stream reason; undefined for receipts and other reasons. The rule walk
 * found a contradiction exactly when the rule on this log takes the record.
 */
function streamVerdict(
  said: Delivery | undefined,
  contradiction: Delivery['contradiction'],
  split: boolean,
): RejectionVerdict | undefined {
  if (said?.envelope.type !== 'rejection' || !isStreamRejection(said.claim?.reason)) {
    return undefined;
  }
  if (split) return 'undecidable';
  return contradiction ? 'unjustified' : 'justified';
}

function inLogOrder(a: Delivery, b: Delivery): number {
  const l = a.location;
  const r = b.location;
  if (l.topic !== r.topic) return l.topic < r.topic ? -1 : 1;
  if (l.partition !== r.partition) return l.partition - r.partition;
  return compareOffsets(l.offset, r.offset);
}

/** Offsets are decimal strings without leading zeros: the longer is larger, else compare text. */
function compareOffsets(x: string, y: string): number {
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function mapFor<V>(maps: Map<string, V>, key: string, create: () => V): V {
  let value = maps.get(key);
  if (value === undefined) {
    value = create();
    maps.set(key, value);
  }
  return value;
}

function emptySummary(stream: string, from: string, to: string): StreamSummary {
  return {
    stream,
    from,
    to,
    records: 0,
    entered: 0,
    redeliveries: 0,
    refused: 0,
    headSeq: 0,
    headHash: null,
    firstBrokerTime: null,
    lastBrokerTime: null,
    findings: 0,
  };
}

function isoOrRaw(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
