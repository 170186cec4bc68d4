import { resolve } from 'node:path';
import { directoryTopic, evaluationTopic } from '@yipanqi/contracts';
import {
  inboxOwner,
  LogPlan,
  LogSink,
  LogSource,
  selectInboxes,
  SourceDescription,
} from '@yipanqi/exchange-log';
import { ArchiveReader } from './archive-files';
import { ArchiveManifest } from './archive-format';

/** An export archive: its manifest says which prefix, range and cut it holds. */
export class ArchiveSource implements LogSource {
  readonly description: SourceDescription;
  private readonly reader: ArchiveReader;

  constructor(
    path: string,
    private readonly nodes?: string[],
  ) {
    this.reader = new ArchiveReader(path);
    this.description = {
      kind: 'archive',
      path: resolve(path),
      topicPrefix: this.reader.manifest.topicPrefix,
    };
  }

  /** what the export wrote: the figures a replay of it should read */
  get manifest(): ArchiveManifest {
    return this.reader.manifest;
  }

  get topicPrefix(): string {
    return this.reader.manifest.topicPrefix;
  }

  open(): Promise<LogPlan> {
    const m = this.reader.manifest;
    const inboxTopics = selectInboxes(
      m.topicPrefix,
      [...new Set(m.files.map((f) => f.topic))],
      this.nodes,
    );
    const records = (wanted: (topic: string) => boolean) =>
      this.reader.filesOf(wanted).reduce((n, f) => n + f.records, 0);
    const evaluation = evaluationTopic(m.topicPrefix);
    return Promise.resolve({
      inboxTopics,
      nodes: this.nodes ?? null,
      inboxRecords: records((t) => inboxTopics.includes(t)),
      evaluationRecords: records((t) => t === evaluation),
      cutAt: Date.parse(m.cutAt),
      from: m.from === null ? null : Date.parse(m.from),
      to: m.to === null ? null : Date.parse(m.to),
      findings: this.reader.folderFindings(),
    });
  }

  async readDirectory(sink: LogSink): Promise<void> {
    const directory = directoryTopic(this.topicPrefix);
    for (const file of this.reader.filesOf((t) => t === directory)) {
      await this.reader.read(file, sink);
    }
  }

  async readInboxes(sink: LogSink): Promise<void> {
    const prefix = this.topicPrefix;
    const wanted = (t: string) => {
      const owner = inboxOwner(prefix, t);
      return owner !== undefined && (!this.nodes || this.nodes.includes(owner));
    };
    for (const file of this.reader.filesOf(wanted)) await this.reader.read(file, sink);
  }

  async readEvaluation(sink: LogSink): Promise<void> {
    const evaluation = evaluationTopic(this.topicPrefix);
    for (const file of this.reader.filesOf((t) => t === evaluation)) {
      await this.reader.read(file, sink);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
