import { KeyObject } from 'node:crypto';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { blindIndex } from '@yipanqi/crypto';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions, insertRows } from '@yipanqi/persistence';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey } from '../exchange/exchange.providers';
import { ArrivalResult, MigrantArrivals, PreparedArrival } from '../migrants/migrant-arrivals';
import { ArrivalInput, chinaToday, RowContext } from '../migrants/migrant-rules';
import { CITY_NODE_CONFIG } from '../tokens';
import {
  CampaignImport,
  CampaignImportFinding,
  CampaignImportRow,
} from './campaign-import.entities';
import { ImportReportView, ImportView } from './campaign-import.dto';
import { CsvMalformedError, csvRecords, inChunks } from './csv-records';
import {
  CAMPAIGN_ID_PATTERN,
  CHECK_CHUNK_ROWS,
  COMMIT_CHUNK_ROWS,
  HEARTBEAT_MS,
  importProgress,
  isInterrupted,
  MAX_FINDINGS,
  MAX_IMPORT_BYTES,
  reuploadOutcome,
  RowFinding,
  YIELD_AFTER_MS,
} from './import-rules';
import { ImportFileError, importRows, refusedField } from './import-rows';
import {
  readSpool,
  removeSpool,
  Spool,
  spoolKey,
  spoolUpload,
  UploadNotUtf8Error,
  UploadTooLargeError,
} from './import-spool';

/** Rows per INSERT or IN list: inside both databases' bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;

type Counts = Pick<
  CampaignImport,
  | 'bytesParsed'
  | 'rowsRead'
  | 'rowsValid'
  | 'rowsInvalid'
  | 'rowsCommitted'
  | 'rowsDuplicate'
  | 'rowsRefused'
  | 'findings'
>;

const NO_COUNTS: Counts = {
  bytesParsed: 0,
  rowsRead: 0,
  rowsValid: 0,
  rowsInvalid: 0,
  rowsCommitted: 0,
  rowsDuplicate: 0,
  rowsRefused: 0,
  findings: 0,
};

/** The node is shutting down: a running import stops between chunks. */
class ImportStopped extends Error {}

interface ValidRow {
  row: number;
  arrival: ArrivalInput;
  idIndex: string;
}

interface PreparedChunk {
  /** the rows whose person the campaign does not have yet */
  fresh: ValidRow[];
  /** rows set aside: the campaign has the person from this import or from another */
  before: { committed: number; duplicate: number };
  prepared: PreparedArrival[];
}

/**
 * Campaign imports (专项活动): a CSV of arrivals uploaded once, checked whole,
 * then registered chunk by chunk through the migrants flow's arrival core.
 * See docs/campaign-import.md.
 */
@Injectable()
export class CampaignImports implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CampaignImport');
  private readonly me: string;
  private readonly spoolDir: string;
  private readonly spoolKey: KeyObject;
  private readonly jobs = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    @InjectDataKey() private readonly dataKey: KeyObject,
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly arrivals: MigrantArrivals,
  ) {
    this.me = config.nodeCode;
    this.spoolDir = join(config.dataDir, 'imports');
    this.spoolKey = spoolKey(dataKey);
  }

  /**
   * Imports whose process is gone are failed INTERRUPTED, and their spools
   * removed. A SQLite node is one process, so whatever was running when it
   * stopped is gone; PostgreSQL replicas judge by the heartbeat.
   */
  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.spoolDir, { recursive: true, mode: 0o700 });
    const singleProcess = this.dataSource.options.type === 'better-sqlite3';
    const running = await this.dataSource
      .getRepository(CampaignImport)
      .find({ where: { status: In(['parsing', 'committing']) } });
    const alive = new Set<string>();
    for (const imp of running) {
      if (singleProcess || isInterrupted(imp.status, imp.heartbeatAt)) await this.interrupt(imp);
      else alive.add(`${imp.id}.spool`);
    }
    // uploads cut off mid-way and spools of imports that no longer run
    for (const name of await readdir(this.spoolDir)) {
      if (!alive.has(name)) await removeSpool({ path: join(this.spoolDir, name) });
    }
  }

  /** Running imports stop at their next chunk and are failed INTERRUPTED; a re-upload resumes them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.jobs.values());
  }

  /**
   * Takes an uploaded file. A file the campaign already has answers with its
   * import (`created: false`) unless that import was interrupted, which then
   * runs again; a new one starts an import. Checking and committing go on
   * after the answer.
   */
  async upload(
    campaignId: string,
    body: Readable,
    principal: Principal,
  ): Promise<{ created: boolean; view: ImportView }> {
    if (!CAMPAIGN_ID_PATTERN.test(campaignId)) {
      throw new ProblemError(
        400,
        'CAMPAIGN_ID_INVALID',
        'Not a campaign id',
        'a campaign id is 1 to 64 letters, digits, dots, dashes or underscores',
      );
    }
    const spool = await this.receive(body);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOrFind(campaignId, spool, principal);
      } catch (err) {
        // a concurrent upload of the same file created the import first: answer with it
        if (!isUniqueViolation(err) || attempt > 1) {
          await removeSpool(spool);
          throw err;
        }
      }
    }
  }

  async view(id: string): Promise<ImportView> {
    return this.toView(await this.current(id));
  }

  async list(campaignId: string): Promise<ImportView[]> {
    const imports = await this.dataSource
      .getRepository(CampaignImport)
      .find({ where: { campaignId }, order: { createdAt: 'DESC' } });
    const views: ImportView[] = [];
    for (const imp of imports)
      views.push(this.toView(this.lost(imp) ? await this.interrupt(imp) : imp));
    return views;
  }

  async report(id: string): Promise<ImportReportView> {
    const imp = await this.current(id);
    const findings = await this.dataSource.getRepository(CampaignImportFinding).find({
      where: { importId: id },
      order: { row: 'ASC', id: 'ASC' },
    });
    return {
      importId: imp.id,
      campaignId: imp.campaignId,
      status: imp.status,
      reportTruncated: imp.findings >= MAX_FINDINGS,
      findings: findings.map(({ row, field, code, message }) => ({ row, field, code, message })),
    };
  }

  // ---- upload ----------------------------------------------------------------

  private async receive(body: Readable): Promise<Spool> {
    try {
      return await spoolUpload(
        body,
        join(this.spoolDir, `${uuidv7()}.upload`),
        this.spoolKey,
        MAX_IMPORT_BYTES,
      );
    } catch (err) {
      if (err instanceof UploadTooLargeError) throw importTooLarge();
      if (err instanceof UploadNotUtf8Error) {
        throw new ProblemError(
          400,
          'IMPORT_NOT_UTF8',
          'The file is not UTF-8',
          'save the file as CSV UTF-8 (spreadsheets often default to GBK)',
        );
      }
      throw err;
    }
  }

  private async startOrFind(
    campaignId: string,
    spool: Spool,
    principal: Principal,
  ): Promise<{ created: boolean; view: ImportView }> {
    const repo = this.dataSource.getRepository(CampaignImport);
    let imp = await repo.findOneBy({ campaignId, fileSha256: spool.sha256 });
    if (imp && this.lost(imp)) imp = await this.interrupt(imp);
    if (imp && reuploadOutcome(imp.status, imp.failureCode) === 'existing') {
      await removeSpool(spool);
      return { created: false, view: this.toView(imp) };
    }
    const now = Date.now();
    const attempt = {
      ...NO_COUNTS,
      status: 'parsing' as const,
      bytes: spool.bytes,
      failureCode: null,
      failureDetail: null,
      startedAt: now,
      heartbeatAt: now,
      finishedAt: null,
    };
    if (imp) {
      const resumed = imp;
      const won = await this.transactions.run(async (m) => {
        // only one upload resumes it, also across replicas
        const result = await m.update(
          CampaignImport,
          { id: resumed.id, status: 'failed', attempts: resumed.attempts },
          { ...attempt, attempts: resumed.attempts + 1 },
        );
        if (result.affected !== 1) return false;
        await m.delete(CampaignImportFinding, { importId: resumed.id });
        return true;
      });
      if (!won) {
        await removeSpool(spool);
        return { created: false, view: await this.view(resumed.id) };
      }
      imp = { ...resumed, ...attempt, attempts: resumed.attempts + 1 };
    } else {
      imp = {
        ...attempt,
        id: uuidv7(),
        campaignId,
        fileSha256: spool.sha256,
        attempts: 1,
        uploadedBy: principal.tokenId,
        createdAt: now,
      };
      const created = imp;
      await this.transactions.run((m) => m.insert(CampaignImport, created));
    }
    const path = join(this.spoolDir, `${imp.id}.spool`);
    await rename(spool.path, path);
    this.start(imp, { ...spool, path });
    return { created: true, view: this.toView(imp) };
  }

  private start(imp: CampaignImport, spool: Spool): void {
    const job = this.run(imp, spool).finally(() => this.jobs.delete(imp.id));
    this.jobs.set(imp.id, job);
  }

  // ---- the import job --------------------------------------------------------

  /** Checks the whole file, then commits its valid rows; never throws (the failure is the import's). */
  private async run(imp: CampaignImport, spool: Spool): Promise<void> {
    const context: RowContext = { me: this.me, today: chinaToday() };
    const counts: Counts = { ...NO_COUNTS };
    const beat = setInterval(() => void this.beat(imp.id), HEARTBEAT_MS).unref();
    try {
      await this.check(imp, spool, context, counts);
      await this.save(imp.id, { status: 'committing', ...counts, bytesParsed: spool.bytes });
      counts.bytesParsed = spool.bytes;
      await this.commit(imp, spool, context, counts);
      await this.save(imp.id, { status: 'done', finishedAt: Date.now() });
    } catch (err) {
      await this.fail(imp.id, err).catch((saveErr: Error) =>
        this.logger.error(`import ${imp.id} failed and could not record it: ${saveErr.message}`),
      );
    } finally {
      clearInterval(beat);
      await removeSpool(spool);
    }
  }

  /**
   * Pass 1: reads every row and writes the report; commits nothing. Counts
   * and findings are saved every chunk, and up to the broken line when the
   * file turns out not to be CSV.
   */
  private async check(
    imp: CampaignImport,
    spool: Spool,
    context: RowContext,
    counts: Counts,
  ): Promise<void> {
    let findings: RowFinding[] = [];
    let pending = 0;
    let since = Date.now();
    const flush = async () => {
      const found = findings;
      [findings, pending] = [[], 0];
      await this.transactions.run(async (m) => {
        counts.findings += await this.keepFindings(m, imp.id, counts.findings, found);
        await m.update(CampaignImport, { id: imp.id }, { ...counts, heartbeatAt: Date.now() });
      });
    };
    try {
      for await (const r of importRows(
        csvRecords(readSpool(spool, this.spoolKey)),
        imp.campaignId,
        context,
      )) {
        counts.bytesParsed = r.bytes;
        if (r.kind !== 'blank') counts.rowsRead++;
        if (r.kind === 'valid') counts.rowsValid++;
        if (r.kind === 'invalid') {
          counts.rowsInvalid++;
          findings.push(...r.findings);
        }
        if (++pending >= CHECK_CHUNK_ROWS) {
          this.assertNotStopping();
          await flush();
        }
        if (Date.now() - since >= YIELD_AFTER_MS) {
          await yieldToOtherWork();
          since = Date.now();
        }
      }
    } finally {
      await flush();
    }
  }

  /**
   * Pass 2: registers the valid rows, one transaction per chunk. Encrypting a
   * chunk and committing it are two turns of the event loop, with the node's
   * other work (requests, inbox, relay) between them: run together, with the
   * next chunk encrypted while one commits, a turn took ≈ 150 ms and health
   * reads waited for two of them.
   */
  private async commit(
    imp: CampaignImport,
    spool: Spool,
    context: RowContext,
    counts: Counts,
  ): Promise<void> {
    const rows = importRows(csvRecords(readSpool(spool, this.spoolKey)), imp.campaignId, context);
    for await (const chunk of inChunks(validRows(rows, this.dataKey), COMMIT_CHUNK_ROWS)) {
      this.assertNotStopping();
      const prepared = await this.prepareChunk(imp, chunk);
      await yieldToOtherWork();
      await this.commitChunk(imp, prepared, counts);
      await yieldToOtherWork();
    }
  }

  /**
   * Rows whose person the campaign already has are set aside: committed by an
   * earlier attempt of this import (they count as committed) or by another
   * of its files (duplicates). The others are encrypted, outside any
   * transaction.
   */
  private async prepareChunk(imp: CampaignImport, chunk: ValidRow[]): Promise<PreparedChunk> {
    const known = await this.transactions.run((m) => this.knownRows(m, imp.campaignId, chunk));
    const fresh = chunk.filter((r) => !known.has(r.idIndex));
    const before = { committed: 0, duplicate: 0 };
    for (const owner of known.values()) before[owner === imp.id ? 'committed' : 'duplicate']++;
    return {
      fresh,
      before,
      prepared: await this.arrivals.prepare(
        fresh.map((r) => r.arrival),
        'bulk',
      ),
    };
  }

  /** Registers a prepared chunk with its row keys and the import's new counts in one transaction. */
  private async commitChunk(
    imp: CampaignImport,
    { fresh, before, prepared }: PreparedChunk,
    counts: Counts,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const next = await this.transactions.run(async (m) => {
          // another import of the campaign may have taken some of these people meanwhile
          const taken = await this.knownRows(m, imp.campaignId, fresh);
          const going = fresh.flatMap((r, i) => (taken.has(r.idIndex) ? [] : [i]));
          const results = await this.arrivals.register(
            m,
            going.map((i) => prepared[i]),
          );
          const keys: CampaignImportRow[] = [];
          const refusals: RowFinding[] = [];
          results.forEach((result, j) => {
            const r = fresh[going[j]];
            if (result.outcome === 'registered') {
              keys.push({
                campaignId: imp.campaignId,
                idIndex: r.idIndex,
                importId: imp.id,
                row: r.row,
                recordId: result.recordId,
              });
            } else refusals.push(refusalFinding(r, result));
          });
          for (let i = 0; i < keys.length; i += ROWS_PER_STATEMENT) {
            await insertRows(m, CampaignImportRow, keys.slice(i, i + ROWS_PER_STATEMENT));
          }
          const next: Counts = {
            ...counts,
            rowsCommitted: counts.rowsCommitted + before.committed + keys.length,
            rowsDuplicate: counts.rowsDuplicate + before.duplicate + taken.size,
            rowsRefused: counts.rowsRefused + refusals.length,
            findings:
              counts.findings + (await this.keepFindings(m, imp.id, counts.findings, refusals)),
          };
          await m.update(CampaignImport, { id: imp.id }, { ...next, heartbeatAt: Date.now() });
          return next;
        });
        Object.assign(counts, next);
        return;
      } catch (err) {
        // on PostgreSQL a concurrent import of the campaign can commit a row key between the look and the insert
        if (!isUniqueViolation(err) || attempt >= 3) throw err;
      }
    }
  }

  /** The campaign's row keys among `rows`: id index → the import that committed it. */
  private async knownRows(
    m: EntityManager,
    campaignId: string,
    rows: { idIndex: string }[],
  ): Promise<Map<string, string>> {
    const known = new Map<string, string>();
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const found = await m.find(CampaignImportRow, {
        select: { idIndex: true, importId: true },
        where: {
          campaignId,
          idIndex: In(rows.slice(i, i + ROWS_PER_STATEMENT).map((r) => r.idIndex)),
        },
      });
      for (const f of found) known.set(f.idIndex, f.importId);
    }
    return known;
  }

  /** Stores findings up to the report's limit; returns how many it stored. */
  private async keepFindings(
    m: EntityManager,
    importId: string,
    stored: number,
    findings: RowFinding[],
  ): Promise<number> {
    const kept = findings.slice(0, Math.max(0, MAX_FINDINGS - stored));
    for (let i = 0; i < kept.length; i += ROWS_PER_STATEMENT) {
      await m.insert(
        CampaignImportFinding,
        kept.slice(i, i + ROWS_PER_STATEMENT).map((f) => ({ importId, ...f })),
      );
    }
    return kept.length;
  }

  private assertNotStopping(): void {
    if (this.stopping) throw new ImportStopped();
  }

  private async beat(id: string): Promise<void> {
    await this.transactions
      .run((m) =>
        m.update(
          CampaignImport,
          { id, status: In(['parsing', 'committing']) },
          { heartbeatAt: Date.now() },
        ),
      )
      .catch((err: Error) => this.logger.warn(`import ${id}: heartbeat failed: ${err.message}`));
  }

  private async save(id: string, changes: Partial<CampaignImport>): Promise<void> {
    await this.transactions.run((m) =>
      m.update(CampaignImport, { id }, { ...changes, heartbeatAt: Date.now() }),
    );
  }

  private async fail(id: string, err: unknown): Promise<void> {
    let code: string;
    let detail: string;
    if (err instanceof ImportFileError) [code, detail] = [err.code, err.message];
    else if (err instanceof CsvMalformedError) [code, detail] = ['CSV_MALFORMED', err.message];
    else if (err instanceof ImportStopped) {
      [code, detail] = ['INTERRUPTED', 'the node shut down; upload the file again to finish'];
    } else {
      // the log gets the cause; it names no person (rows are never part of an error here)
      this.logger.error(`import ${id} failed: ${(err as Error)?.stack ?? String(err)}`);
      [code, detail] = ['INTERNAL', 'the node failed during the import; upload the file again'];
    }
    await this.save(id, {
      status: 'failed',
      failureCode: code,
      failureDetail: detail,
      finishedAt: Date.now(),
    });
  }

  // ---- reading ---------------------------------------------------------------

  /** The import, failed INTERRUPTED first if its process is gone. */
  private async current(id: string): Promise<CampaignImport> {
    const imp = /^[0-9a-f-]{36}$/.test(id)
      ? await this.dataSource.getRepository(CampaignImport).findOneBy({ id })
      : null;
    if (!imp) {
      throw new ProblemError(404, 'IMPORT_NOT_FOUND', 'No such import', `no import ${id}`);
    }
    return this.lost(imp) ? this.interrupt(imp) : imp;
  }

  /** A running import that no process runs any more (not this one, and its heartbeat stopped). */
  private lost(imp: CampaignImport): boolean {
    return !this.jobs.has(imp.id) && isInterrupted(imp.status, imp.heartbeatAt);
  }

  private async interrupt(imp: CampaignImport): Promise<CampaignImport> {
    const changes = {
      status: 'failed' as const,
      failureCode: 'INTERRUPTED',
      failureDetail: 'the node stopped during the import; upload the file again to finish',
      finishedAt: Date.now(),
    };
    await this.transactions.run((m) =>
      m.update(CampaignImport, { id: imp.id, status: In(['parsing', 'committing']) }, changes),
    );
    await removeSpool({ path: join(this.spoolDir, `${imp.id}.spool`) });
    return { ...imp, ...changes };
  }

  private toView(imp: CampaignImport): ImportView {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: imp.id,
      campaignId: imp.campaignId,
      fileSha256: imp.fileSha256,
      status: imp.status,
      attempts: imp.attempts,
      bytes: imp.bytes,
      rowsRead: imp.rowsRead,
      rowsValid: imp.rowsValid,
      rowsInvalid: imp.rowsInvalid,
      rowsCommitted: imp.rowsCommitted,
      rowsDuplicate: imp.rowsDuplicate,
      rowsRefused: imp.rowsRefused,
      progress: importProgress(imp.status, imp),
      failure: imp.failureCode ? { code: imp.failureCode, detail: imp.failureDetail ?? '' } : null,
      findings: imp.findings,
      reportTruncated: imp.findings >= MAX_FINDINGS,
      report: `/imports/${imp.id}/report`,
      uploadedAt: iso(imp.createdAt),
      startedAt: iso(imp.startedAt),
      finishedAt: imp.finishedAt === null ? null : iso(imp.finishedAt),
    };
  }
}

async function* validRows(
  rows: ReturnType<typeof importRows>,
  dataKey: KeyObject,
): AsyncGenerator<ValidRow> {
  for await (const r of rows) {
    if (r.kind === 'valid') {
      yield {
        row: r.row,
        arrival: r.arrival,
        idIndex: blindIndex(dataKey, r.arrival.person.idNumber),
      };
    }
  }
}

function refusalFinding(
  r: ValidRow,
  result: Extract<ArrivalResult, { outcome: 'refused' }>,
): RowFinding {
  return {
    row: r.row,
    field: refusedField(result.code, r.arrival),
    code: result.code,
    message: result.detail.slice(0, 300),
  };
}

export function importTooLarge(): ProblemError {
  return new ProblemError(
    413,
    'IMPORT_TOO_LARGE',
    'Import file too large',
    `the limit is ${MAX_IMPORT_BYTES} bytes; split the file`,
  );
}

/** A duplicate primary or unique key, on SQLite or PostgreSQL. */
function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const code = (err.driverError as { code?: string } | undefined)?.code ?? '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * Lets HTTP requests, the inbox and the relay run between two chunks: reading
 * and checking rows is synchronous work that awaits only resolved promises,
 * which never gives the event loop back on its own.
 */
function yieldToOtherWork(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
