import { TopicRecord } from '@yipanqi/exchange-log';
import {
  archiveFileName,
  ArchiveFormatError,
  decodeRecordLine,
  encodeRecordLine,
  parseManifest,
} from './archive-format';

const record = (over: Partial<TopicRecord> = {}): TopicRecord => ({
  topic: 'yipanqi.inbox.511500',
  partition: 2,
  offset: '9007199254740993', // beyond 2^53: offsets stay strings
  timestamp: 1767600000000,
  key: Buffer.from('441300'),
  headers: [
    { name: 'type', value: Buffer.from('notice') },
    { name: 'id', value: Buffer.from('0192f3c4-0000-7000-8000-000000000001') },
  ],
  value: Buffer.from('{"id":"x","payload":{"title":"宣传月"}}'),
  ...over,
});

describe('archive lines', () => {
  it('keep every byte of a record, readable when the bytes are UTF-8', () => {
    const original = record();
    const line = encodeRecordLine(original);
    expect(line).toContain('宣传月');
    expect(decodeRecordLine(line)).toEqual(original);
  });

  it('keep bytes that are not UTF-8 as base64, exactly', () => {
    const original = record({
      value: Buffer.from([0xff, 0xfe, 0x00, 0x41]),
      key: null,
      headers: [{ name: 'id', value: Buffer.from([0xc3]) }],
    });
    const line = encodeRecordLine(original);
    expect(JSON.parse(line)).toMatchObject({ value: { base64: '//4AQQ==' }, key: null });
    expect(decodeRecordLine(line)).toEqual(original);
  });

  it('keep repeated headers in their order and a null (tombstone) value', () => {
    const original = record({
      value: null,
      headers: [
        { name: 'x', value: Buffer.from('1') },
        { name: 'x', value: Buffer.from('2') },
      ],
    });
    expect(decodeRecordLine(encodeRecordLine(original))).toEqual(original);
  });

  it.each([
    ['not JSON', '{'],
    ['no topic', '{"partition":0,"offset":"1","timestamp":1,"key":null,"headers":[],"value":null}'],
    [
      'offset as number',
      '{"topic":"t","partition":0,"offset":1,"timestamp":1,"key":null,"headers":[],"value":null}',
    ],
    [
      'odd bytes',
      '{"topic":"t","partition":0,"offset":"1","timestamp":1,"key":5,"headers":[],"value":null}',
    ],
  ])('refuse a line that is not a record: %s', (_what, line) => {
    expect(() => decodeRecordLine(line)).toThrow(ArchiveFormatError);
  });
});

describe('archive manifest', () => {
  const manifest = {
    format: 'yipanqi-audit-archive',
    version: 1,
    topicPrefix: 'yipanqi',
    cutAt: '2026-01-07T00:00:00.000Z',
    from: null,
    to: null,
    files: [
      {
        file: archiveFileName('yipanqi.directory', 0),
        topic: 'yipanqi.directory',
        partition: 0,
        startOffset: '0',
        endOffset: '3',
        records: 3,
        firstTimestamp: 1,
        lastTimestamp: 2,
        sha256: 'a'.repeat(64),
      },
    ],
  };

  it('is read back when well formed', () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('is refused when it is another format, or a file entry is malformed', () => {
    expect(() => parseManifest(JSON.stringify({ ...manifest, format: 'zip' }))).toThrow(
      ArchiveFormatError,
    );
    const renamed = { ...manifest.files[0], file: '../etc/passwd' };
    expect(() => parseManifest(JSON.stringify({ ...manifest, files: [renamed] }))).toThrow(
      /malformed/,
    );
    const twice = { ...manifest, files: [manifest.files[0], manifest.files[0]] };
    expect(() => parseManifest(JSON.stringify(twice))).toThrow(/twice/);
  });
});
