import { RecordLocation } from '../log/topic-record';

/**
 * Every kind of discrepancy the auditor reports, with the sentence the HTML
 * report and docs/auditor.md use for it. Any finding makes the replay exit 2.
 */
export const FINDING_KINDS = {
  // the archive itself
  ARCHIVE_FILE_HASH: "a file's SHA-256 differs from the manifest: it changed after the export",
  ARCHIVE_INCOMPLETE:
    'a file listed in the manifest is missing, a file is not listed, or its record count or offsets differ',
  ARCHIVE_LINE_INVALID: 'a line of an archive file is not a record',
  RECORD_ORDER: 'offsets within a partition are not strictly ascending',
  // transport: where records sit, evidence about the path and not about a stream
  STREAM_SPLIT:
    "a stream's records sit on more than one partition of the inbox: the record key puts a stream on one",
  // the directory
  DIRECTORY_ENTRY_INVALID:
    'a directory record is not a well-formed entry signed by the coordinator key, or its record key is not its code',
  // one record
  UNPARSEABLE_RECORD: 'an inbox record is not an envelope',
  RECORD_METADATA_MISMATCH:
    "the record key is not the sender's code, or the type/id headers differ",
  UNKNOWN_SENDER: 'the sender was not a member (or was suspended) at the broker time of the record',
  BAD_SIGNATURE: 'the signature verifies with no directory key: forged or altered',
  WRONG_SIGNER: "the signature verifies with another member's key, not the sender's",
  MISADDRESSED: 'the envelope is addressed to another node than the inbox it sits in',
  // one stream (from → to)
  DUPLICATE: 'an id seen before in this inbox comes again with other content',
  SEQ_GAP: 'the stream skips sequence numbers',
  OUT_OF_ORDER: 'an envelope comes after a later one of its stream',
  FORK: 'two different envelopes claim the same place in a stream',
  CHAIN_BROKEN: 'prevHash is not the hash of the previous envelope of the stream',
  // receipts and rejections
  ANSWER_MALFORMED:
    'a receipt or rejection payload is not valid, or causationId is not the answered id',
  ANSWER_NOT_FROM_RECIPIENT: 'an answer is signed by a node that did not receive the message',
  ANSWER_UNKNOWN_MESSAGE: 'an answer refers to a message that is not in the log',
  ANSWER_HASH_MISMATCH: 'an answer quotes another hash than the message in the log has',
  ANSWER_BROKER_TIME: "an answer's brokerTime is not the broker time of the record it answers",
  DUPLICATE_ANSWER: 'a message has more than one answer',
  ANSWER_CONTRADICTS_LOG: 'the recipient decided otherwise than the rules decide on this log',
  UNANSWERED: 'a message that must be answered has no answer after the answer window',
  UNJUSTIFIED_REJECTION:
    "a rejection's reason does not hold on this log: every check the log allows passes (it counts as if accepted)",
  // campaign results the coordinator published
  CAMPAIGN_RESULT_INVALID:
    'a record of the evaluation topic is not a campaign result, or its record key is not its campaign id',
  CAMPAIGN_RESULT_SIGNATURE:
    'a campaign result does not verify with the coordinator key: its figures are not the ones it signed',
  CAMPAIGN_RESULT_MISMATCH:
    'a figure of a published campaign result differs from the one recomputed from this log',
} as const;

export type FindingKind = keyof typeof FINDING_KINDS;

export interface Finding {
  kind: FindingKind;
  /** the message(s) it is about, the one at fault first; empty when no id can be read */
  messageIds: string[];
  /** "from→to", when the finding is about one stream */
  stream: string | null;
  /** the record it is about, when there is one */
  location: RecordLocation | null;
  /** archive file (and line) for findings about the archive */
  file: string | null;
  detail: string;
}

export function streamName(from: string, to: string): string {
  return `${from}→${to}`;
}

export function finding(
  kind: FindingKind,
  detail: string,
  about: Partial<Omit<Finding, 'kind' | 'detail'>> = {},
): Finding {
  return {
    kind,
    messageIds: about.messageIds ?? [],
    stream: about.stream ?? null,
    location: about.location ?? null,
    file: about.file ?? null,
    detail,
  };
}
