import { RecordHeader, TopicRecord } from '@yipanqi/exchange-log';

/**
 * The export archive (DESIGN §8): a folder of NDJSON files, one per topic
 * partition, one line per Kafka record, and `manifest.json` with each file's
 * SHA-256, record count and offset and time range. Bytes are kept exactly:
 * as a JSON string when they are valid UTF-8 that round-trips byte for byte
 * (every envelope does, so archives stay greppable by message id), otherwise
 * as `{ "base64": … }`.
 */
export const ARCHIVE_FORMAT = 'yipanqi-audit-archive';
export const ARCHIVE_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

export type ArchivedBytes = string | { base64: string };

export interface ArchiveLine {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: ArchivedBytes | null;
  headers: [string, ArchivedBytes][];
  value: ArchivedBytes | null;
}

export interface ArchiveFile {
  /** file name inside the archive folder */
  file: string;
  topic: string;
  partition: number;
  /** the offset range that was read, `[startOffset, endOffset)` */
  startOffset: string;
  endOffset: string;
  records: number;
  /** broker times of the first and last record; null for an empty file */
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  /** hex SHA-256 of the file's bytes */
  sha256: string;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  topicPrefix: string;
  /** ISO instant at which the end offsets were read: nothing appended later is in the archive */
  cutAt: string;
  /** the requested broker-time range; null: from the beginning / up to the cut */
  from: string | null;
  to: string | null;
  files: ArchiveFile[];
}

export class ArchiveFormatError extends Error {}

export function archiveFileName(topic: string, partition: number): string {
  return `${topic}.p${partition}.ndjson`;
}

export function archiveBytes(bytes: Buffer): ArchivedBytes {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : { base64: bytes.toString('base64') };
}

function bytesOf(value: unknown, what: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { base64?: unknown }).base64 === 'string'
  ) {
    return Buffer.from((value as { base64: string }).base64, 'base64');
  }
  throw new ArchiveFormatError(`${what} is neither a string nor {"base64": …}`);
}

export function encodeRecordLine(record: TopicRecord): string {
  const line: ArchiveLine = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : archiveBytes(record.key),
    headers: record.headers.map((h) => [h.name, archiveBytes(h.value)]),
    value: record.value === null ? null : archiveBytes(record.value),
  };
  return JSON.stringify(line);
}

const OFFSET = /^(0|[1-9]\d*)$/;

/** Reads one archive line back into the record it was made from; throws ArchiveFormatError. */
export function decodeRecordLine(text: string): TopicRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ArchiveFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ArchiveFormatError('not a JSON object');
  }
  const line = parsed as Partial<Record<keyof ArchiveLine, unknown>>;
  if (typeof line.topic !== 'string' || line.topic === '') {
    throw new ArchiveFormatError('topic missing');
  }
  if (!Number.isSafeInteger(line.partition) || (line.partition as number) < 0) {
    throw new ArchiveFormatError('partition is not a partition number');
  }
  if (typeof line.offset !== 'string' || !OFFSET.test(line.offset)) {
    throw new ArchiveFormatError('offset is not a decimal string');
  }
  if (!Number.isSafeInteger(line.timestamp)) {
    throw new ArchiveFormatError('timestamp is not epoch ms');
  }
  if (!Array.isArray(line.headers)) throw new ArchiveFormatError('headers are not a list');
  const headers: RecordHeader[] = line.headers.map((h: unknown, i) => {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string') {
      throw new ArchiveFormatError(`header ${i} is not [name, value]`);
    }
    return { name: h[0], value: bytesOf(h[1], `header ${h[0]}`) };
  });
  return {
    topic: line.topic,
    partition: line.partition as number,
    offset: line.offset,
    timestamp: line.timestamp as number,
    key: line.key === null ? null : bytesOf(line.key, 'key'),
    headers,
    value: line.value === null ? null : bytesOf(line.value, 'value'),
  };
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const isInstantOrNull = (v: unknown): v is string | null =>
  v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
const isTimeOrNull = (v: unknown): v is number | null => v === null || Number.isSafeInteger(v);

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `files` entry of a manifest, whose name matches its topic and partition. */
function isArchiveFile(f: unknown): f is ArchiveFile {
  return (
    isJsonObject(f) &&
    typeof f.file === 'string' &&
    typeof f.topic === 'string' &&
    typeof f.partition === 'number' &&
    f.file === archiveFileName(f.topic, f.partition) &&
    Number.isSafeInteger(f.partition) &&
    typeof f.startOffset === 'string' &&
    OFFSET.test(f.startOffset) &&
    typeof f.endOffset === 'string' &&
    OFFSET.test(f.endOffset) &&
    Number.isSafeInteger(f.records) &&
    isTimeOrNull(f.firstTimestamp) &&
    isTimeOrNull(f.lastTimestamp) &&
    typeof f.sha256 === 'string' &&
    HEX_SHA256.test(f.sha256)
  );
}

/** Checks the manifest's shape (not the files: the replay does that) and returns it. */
export function parseManifest(text: string): ArchiveManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new ArchiveFormatError(`manifest is not JSON: ${(err as Error).message}`);
  }
  if (!isJsonObject(m) || m.format !== ARCHIVE_FORMAT) {
    throw new ArchiveFormatError(`not a ${ARCHIVE_FORMAT}`);
  }
  if (m.version !== ARCHIVE_VERSION) {
    throw new ArchiveFormatError(`archive version ${String(m.version)} is not supported`);
  }
  if (typeof m.topicPrefix !== 'string' || m.topicPrefix === '') {
    throw new ArchiveFormatError('manifest topicPrefix missing');
  }
  if (typeof m.cutAt !== 'string' || Number.isNaN(Date.parse(m.cutAt))) {
    throw new ArchiveFormatError('manifest cutAt is not an instant');
  }
  if (!isInstantOrNull(m.from) || !isInstantOrNull(m.to)) {
    throw new ArchiveFormatError('manifest from/to are not instants');
  }
  if (!Array.isArray(m.files)) throw new ArchiveFormatError('manifest files missing');
  const names = new Set<string>();
  const files: ArchiveFile[] = [];
  const entries: unknown[] = m.files;
  for (const f of entries) {
    if (!isArchiveFile(f)) {
      throw new ArchiveFormatError(`manifest file entry is malformed: ${JSON.stringify(f)}`);
    }
    if (names.has(f.file)) throw new ArchiveFormatError(`manifest lists ${f.file} twice`);
    names.add(f.file);
    files.push(f);
  }
  return {
    ...m,
    format: m.format,
    version: m.version,
    topicPrefix: m.topicPrefix,
    cutAt: m.cutAt,
    from: m.from,
    to: m.to,
    files,
  };
}
