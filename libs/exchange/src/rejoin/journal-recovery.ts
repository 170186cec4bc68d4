import { Envelope, EnvelopeFormatError, hasValidPayload, parseEnvelope } from '@yipanqi/contracts';
import { envelopeHash } from '../envelope-signing';

/** One record of the node's sent journal topic. */
export interface JournalRecord {
  offset: string;
  value: Buffer | null;
  /** when the journal's broker appended it, epoch ms as a string (kafkajs) */
  timestamp: string;
}

/** Where one outgoing stream ends: the database's view, or after recovery. */
export interface OutgoingStreamEnd {
  peer: string;
  lastSeq: number;
  lastHash: string | null;
}

/** An envelope the node sent that its database does not hold. */
export interface RecoveredEnvelope {
  envelope: Envelope;
  hash: string;
  /** the envelope as it was published, byte for byte */
  raw: string;
  journaledAt: number;
}

/** This node's reply to a partner's message, as the partner received it. */
export interface RecoveredReply {
  replyId: string;
  /** the partner's message it answers */
  messageId: string;
  type: string;
  /** a rejection's reason */
  reason: string | null;
}

export interface JournalRecovery {
  /** per stream in seq order, each continuing the database's end of that stream */
  recovered: RecoveredEnvelope[];
  /** the new end of every stream that got envelopes back */
  streams: OutgoingStreamEnd[];
  /** the recovered envelopes that reply to a partner's message (not to one of this node's) */
  replies: RecoveredReply[];
}

/**
 * The journal does not continue what the database holds: a record this node
 * did not sign, or a stream whose journaled envelopes do not chain onto the
 * database's last one. The node then refuses to start rather than send on a
 * stream it cannot place (docs/operations.md "Backup and restore").
 */
export class SentJournalMismatch extends Error {}

/**
 * What a node finds in its sent journal beyond what its database holds —
 * after a restore from an older backup, everything it sent since the copy.
 * Pure: the caller reads the records and writes the result in one transaction.
 */
export function planJournalRecovery(input: {
  me: string;
  records: JournalRecord[];
  /** ids of the envelopes the outbox holds already (sent or not) */
  known: ReadonlySet<string>;
  /** of the causation ids the records name, those of this node's own messages */
  ownCausations: ReadonlySet<string>;
  /** the database's end of each outgoing stream */
  ends: ReadonlyMap<string, OutgoingStreamEnd>;
  /** whether one of the node's signing keys signed the envelope (`at`: when it was journaled) */
  signedByMe: (envelope: Envelope, at: number) => boolean;
}): JournalRecovery {
  const byPeer = new Map<string, RecoveredEnvelope[]>();
  const seen = new Set<string>();
  for (const record of input.records) {
    const where = `sent journal offset ${record.offset}`;
    let envelope: Envelope;
    try {
      if (!record.value) throw new EnvelopeFormatError('empty record');
      envelope = parseEnvelope(record.value);
    } catch (err) {
      throw new SentJournalMismatch(`${where}: ${(err as Error).message}`);
    }
    const journaledAt = Number(record.timestamp);
    // a publish that was tried again journals the same envelope twice
    if (input.known.has(envelope.id) || seen.has(envelope.id)) continue;
    if (envelope.from !== input.me || !input.signedByMe(envelope, journaledAt)) {
      throw new SentJournalMismatch(`${where}: not an envelope this node signed`);
    }
    seen.add(envelope.id);
    const entry = {
      envelope,
      hash: envelopeHash(envelope),
      raw: record.value.toString(),
      journaledAt,
    };
    byPeer.set(envelope.to, [...(byPeer.get(envelope.to) ?? []), entry]);
  }

  const recovered: RecoveredEnvelope[] = [];
  const streams: OutgoingStreamEnd[] = [];
  for (const [peer, entries] of [...byPeer].sort(([a], [b]) => a.localeCompare(b))) {
    entries.sort((a, b) => a.envelope.seq - b.envelope.seq);
    let end = input.ends.get(peer) ?? { peer, lastSeq: 0, lastHash: null };
    for (const entry of entries) {
      const { seq, prevHash } = entry.envelope;
      if (seq !== end.lastSeq + 1 || prevHash !== end.lastHash) {
        throw new SentJournalMismatch(
          `stream to ${peer}: the journal holds seq ${seq} where the database ends at seq ${end.lastSeq}` +
            (seq === end.lastSeq + 1 ? ' with another hash' : ''),
        );
      }
      end = { peer, lastSeq: seq, lastHash: entry.hash };
      recovered.push(entry);
    }
    streams.push(end);
  }

  const replies: RecoveredReply[] = [];
  const recoveredIds = new Set(recovered.map((r) => r.envelope.id));
  for (const { envelope } of recovered) {
    const about = envelope.causationId;
    if (!about || recoveredIds.has(about) || input.ownCausations.has(about)) continue;
    replies.push({
      replyId: envelope.id,
      messageId: about,
      type: envelope.type,
      reason: rejectionReasonOf(envelope),
    });
  }
  return { recovered, streams, replies };
}

/** A rejection's reason code, from its validated payload (null for anything else). */
function rejectionReasonOf(envelope: Envelope): string | null {
  // this node's own signed rejection: its payload passed the schema when it was sent
  if (envelope.type !== 'rejection' || !hasValidPayload(envelope, [])) return null;
  return envelope.type === 'rejection' ? envelope.payload.reason : null;
}
