import { createHash, Hash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Finding, finding, PartitionRange, TopicRecord } from '@yipanqi/exchange-log';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveFile,
  archiveFileName,
  ArchiveFormatError,
  ArchiveManifest,
  decodeRecordLine,
  encodeRecordLine,
  MANIFEST_FILE,
  parseManifest,
} from './archive-format';

/** Lines are collected and written in chunks of about this many bytes. */
const WRITE_CHUNK = 1 << 20;

interface OpenFile {
  entry: ArchiveFile;
  fd: number;
  hash: Hash;
  pending: string[];
  pendingBytes: number;
}

/**
 * Writes an export archive. The manifest is written last (through a
 * temporary name), so a folder without `manifest.json` is an export that did
 * not finish and the replay refuses it.
 */
export class ArchiveWriter {
  private readonly files = new Map<string, OpenFile>();

  private constructor(private readonly dir: string) {}

  /** Starts an archive in `dir`, which must not exist or be empty: archives never mix. */
  static create(dir: string): ArchiveWriter {
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new Error(`${dir} is not empty: an archive needs a folder of its own`);
    }
    mkdirSync(dir, { recursive: true });
    return new ArchiveWriter(dir);
  }

  /** One file per partition to export, created now so that empty ranges are listed too. */
  plan(range: PartitionRange): void {
    const file = archiveFileName(range.topic, range.partition);
    this.files.set(`${range.topic}/${range.partition}`, {
      entry: {
        file,
        topic: range.topic,
        partition: range.partition,
        startOffset: range.start.toString(),
        endOffset: range.end.toString(),
        records: 0,
        firstTimestamp: null,
        lastTimestamp: null,
        sha256: '',
      },
      fd: openSync(join(this.dir, file), 'wx'),
      hash: createHash('sha256'),
      pending: [],
      pendingBytes: 0,
    });
  }

  write(record: TopicRecord): void {
    const open = this.files.get(`${record.topic}/${record.partition}`);
    if (!open) throw new Error(`${record.topic}/${record.partition} was not planned`);
    const line = `${encodeRecordLine(record)}\n`;
    open.pending.push(line);
    open.pendingBytes += line.length;
    open.entry.records++;
    open.entry.firstTimestamp ??= record.timestamp;
    open.entry.lastTimestamp = record.timestamp;
    if (open.pendingBytes >= WRITE_CHUNK) flush(open);
  }

  /** Closes every file and writes the manifest; returns it. */
  finish(about: Pick<ArchiveManifest, 'topicPrefix' | 'cutAt' | 'from' | 'to'>): ArchiveManifest {
    for (const open of this.files.values()) {
      flush(open);
      closeSync(open.fd);
      open.entry.sha256 = open.hash.digest('hex');
    }
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      ...about,
      files: [...this.files.values()]
        .map((f) => f.entry)
        .sort((a, b) => a.file.localeCompare(b.file)),
    };
    const temporary = join(this.dir, `${MANIFEST_FILE}.partial`);
    writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(temporary, join(this.dir, MANIFEST_FILE));
    return manifest;
  }
}

function flush(open: OpenFile): void {
  if (open.pending.length === 0) return;
  const bytes = Buffer.from(open.pending.join(''), 'utf8');
  open.hash.update(bytes);
  writeSync(open.fd, bytes);
  open.pending = [];
  open.pendingBytes = 0;
}

export interface ArchiveSink {
  /** a promise: wait for it before handing over the next record (the sink is full) */
  record(record: TopicRecord): void | Promise<void>;
  finding(f: Finding): void;
}

/**
 * An export archive opened for replay: the manifest is read and the folder
 * compared with it at once; files are read (and hashed) on demand.
 */
export class ArchiveReader {
  readonly manifest: ArchiveManifest;

  constructor(private readonly dir: string) {
    const path = join(dir, MANIFEST_FILE);
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: not an archive, or an export that did not finish`);
    }
    this.manifest = parseManifest(readFileSync(path, 'utf8'));
  }

  /** Files on disk the manifest does not vouch for, and listed files that are gone. */
  folderFindings(): Finding[] {
    const listed = new Set(this.manifest.files.map((f) => f.file));
    const onDisk = readdirSync(this.dir).filter((name) => name !== MANIFEST_FILE);
    return [
      ...onDisk
        .filter((name) => !listed.has(name))
        .map((name) =>
          finding('ARCHIVE_INCOMPLETE', `${name} is not listed in the manifest: not replayed`, {
            file: name,
          }),
        ),
      ...[...listed]
        .filter((name) => !onDisk.includes(name))
        .map((name) =>
          finding('ARCHIVE_INCOMPLETE', `${name} is listed in the manifest but missing`, {
            file: name,
          }),
        ),
    ];
  }

  /** The listed files of `topics` that exist, in manifest order. */
  filesOf(topics: (topic: string) => boolean): ArchiveFile[] {
    return this.manifest.files.filter((f) => topics(f.topic) && existsSync(join(this.dir, f.file)));
  }

  /**
   * Replays one file: each line back into its record, checked against the
   * file's manifest entry (topic, partition, offset range, count) while the
   * file's bytes are hashed and compared with the manifest.
   */
  async read(file: ArchiveFile, sink: ArchiveSink): Promise<void> {
    const hash = createHash('sha256');
    const input = createReadStream(join(this.dir, file.file));
    input.on('data', (chunk) => hash.update(chunk));
    const lines = createInterface({ input, crlfDelay: Infinity });
    const start = BigInt(file.startOffset);
    const end = BigInt(file.endOffset);
    let number = 0;
    let records = 0;
    for await (const line of lines) {
      number++;
      const where = { file: `${file.file}:${number}` };
      try {
        const record = decodeRecordLine(line);
        const offset = BigInt(record.offset);
        if (record.topic !== file.topic || record.partition !== file.partition) {
          throw new ArchiveFormatError(
            `record of ${record.topic}/${record.partition} in the file of ${file.topic}/${file.partition}`,
          );
        }
        if (offset < start || offset >= end) {
          throw new ArchiveFormatError(
            `offset ${offset} is outside the exported range [${start}, ${end})`,
          );
        }
        records++;
        const full = sink.record(record);
        if (full) await full;
      } catch (err) {
        if (!(err instanceof ArchiveFormatError)) throw err;
        sink.finding(finding('ARCHIVE_LINE_INVALID', err.message, where));
      }
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== file.sha256) {
      sink.finding(
        finding(
          'ARCHIVE_FILE_HASH',
          `SHA-256 is ${sha256}, the manifest says ${file.sha256}: the file changed after the export`,
          { file: file.file },
        ),
      );
    }
    if (records !== file.records) {
      sink.finding(
        finding('ARCHIVE_INCOMPLETE', `${records} records, the manifest says ${file.records}`, {
          file: file.file,
        }),
      );
    }
  }
}
