import { ArchiveFile, archiveFileName, ArchiveManifest } from '../archive/archive-format';
import { archiveDifference, describeCounts, manifestCounts, recordKindOf } from './record-counts';

const PREFIX = 'audit-test';

function file(topic: string, records: number, partition = 0): ArchiveFile {
  return {
    file: archiveFileName(topic, partition),
    topic,
    partition,
    startOffset: '0',
    endOffset: String(records),
    records,
    firstTimestamp: null,
    lastTimestamp: null,
    sha256: '0'.repeat(64),
  };
}

const manifest: ArchiveManifest = {
  format: 'yipanqi-audit-archive',
  version: 1,
  topicPrefix: PREFIX,
  cutAt: '2026-01-07T00:00:00.000Z',
  from: null,
  to: null,
  files: [
    file(`${PREFIX}.directory`, 3),
    file(`${PREFIX}.inbox.441300`, 4),
    file(`${PREFIX}.inbox.511500`, 5, 0),
    file(`${PREFIX}.inbox.511500`, 1, 1),
    file(`${PREFIX}.evaluation`, 1),
  ],
};

describe('record counts of export and replay', () => {
  it('names each topic by its kind, and nothing else', () => {
    expect(recordKindOf(PREFIX, `${PREFIX}.directory`)).toBe('directory');
    expect(recordKindOf(PREFIX, `${PREFIX}.inbox.441300`)).toBe('inbox');
    expect(recordKindOf(PREFIX, `${PREFIX}.evaluation`)).toBe('evaluation');
    expect(recordKindOf(PREFIX, `${PREFIX}.dlq.441300`)).toBeUndefined();
    expect(recordKindOf(PREFIX, `other.inbox.441300`)).toBeUndefined();
  });

  it('says the total and each kind, in one order', () => {
    expect(describeCounts({ directory: 3, inbox: 10, evaluation: 1 })).toBe(
      '14 records (3 directory, 10 inbox, 1 evaluation)',
    );
    expect(describeCounts({ directory: 1, inbox: 0, evaluation: 0 })).toBe(
      '1 record (1 directory, 0 inbox, 0 evaluation)',
    );
  });

  it("counts a manifest's files by kind, or only the inboxes of --nodes", () => {
    expect(manifestCounts(manifest)).toEqual({ directory: 3, inbox: 10, evaluation: 1 });
    expect(manifestCounts(manifest, ['511500'])).toEqual({
      directory: 3,
      inbox: 6,
      evaluation: 1,
    });
  });

  it('is silent when a replay read what the manifest lists', () => {
    expect(archiveDifference({ directory: 3, inbox: 10, evaluation: 1 }, manifest)).toBeUndefined();
  });

  it('explains records --nodes leaves out', () => {
    expect(archiveDifference({ directory: 3, inbox: 6, evaluation: 1 }, manifest, ['511500'])).toBe(
      "the archive's manifest lists 14 records (3 directory, 10 inbox, 1 evaluation): " +
        '4 records of inboxes outside --nodes not read',
    );
  });

  it('points to the archive findings for any other difference', () => {
    expect(archiveDifference({ directory: 3, inbox: 1, evaluation: 0 }, manifest, ['511500'])).toBe(
      "the archive's manifest lists 14 records (3 directory, 10 inbox, 1 evaluation): " +
        '4 records of inboxes outside --nodes not read; ' +
        'inbox 1 read, 6 listed, evaluation 0 read, 1 listed (see the ARCHIVE_* findings)',
    );
  });
});
