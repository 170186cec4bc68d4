import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Command, InvalidArgumentError } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import type { ImportView } from './campaign-import.dto';

/** Exit codes of `import-arrivals`. */
export const IMPORT_EXIT = {
  /** every row registered (or skipped: the campaign already had the person) */
  ok: 0,
  /** the file was refused or the import failed: nothing, or not all of it, was committed */
  failed: 1,
  /** the import is done, but some rows are in the report (invalid or refused) and were not registered */
  rowsNotImported: 2,
  /**
   * the node could not be asked for the import's progress for STATUS_PATIENCE_MS:
   * it may still be running; GET /imports/<id> tells
   */
  unknown: 3,
} as const;

interface Options {
  campaign: string;
  node: string;
  token: string;
  poll: number;
}

/**
 * `import-arrivals <file.csv> --campaign <id> --node <url> --token <token>`:
 * uploads a campaign file (streamed from disk), shows a progress bar while
 * the node checks and commits it, prints the summary and where the report is.
 */
export function importArrivalsCommand(): Command {
  return new Command('import-arrivals')
    .description('upload a campaign file of arrivals (CSV) to a city node and follow its import')
    .argument('<file>', 'CSV file, UTF-8, with a header row (docs/campaign-import.md)')
    .requiredOption('--campaign <id>', 'the campaign (专项活动) the rows were collected in')
    .requiredOption('--node <url>', 'base URL of the city node API', process.env.NODE_URL)
    .requiredOption(
      '--token <token>',
      'a coordinator bearer token (or YIPANQI_TOKEN)',
      process.env.YIPANQI_TOKEN,
    )
    .option('--poll <ms>', 'how often to ask for progress', milliseconds, 500)
    .addHelpText(
      'after',
      `\nExit codes: ${IMPORT_EXIT.ok} all rows imported, ${IMPORT_EXIT.rowsNotImported} done but some rows are in the report, ${IMPORT_EXIT.failed} refused or failed, ${IMPORT_EXIT.unknown} the node did not answer for ${STATUS_PATIENCE_MS / 1000} s (the import may still be running).`,
    )
    .action(async (file: string, opts: Options) => {
      process.exitCode = await importArrivals(file, opts);
    });
}

function milliseconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 50) {
    throw new InvalidArgumentError('a whole number of milliseconds, at least 50');
  }
  return Number(value);
}

async function importArrivals(file: string, opts: Options): Promise<number> {
  const base = `${opts.node.replace(/\/$/, '')}/`;
  const size = (await stat(file)).size;
  const bar = new SingleBar(
    {
      format: '{phase} |{bar}| {percentage}% | {detail}',
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(100, 0, { phase: 'uploading ', detail: `${size} bytes` });
  let uploaded = 0;
  let answer: { status: number; body: unknown };
  try {
    answer = await upload(
      file,
      size,
      new URL(`campaigns/${encodeURIComponent(opts.campaign)}/imports`, base),
      opts.token,
      (n) => {
        uploaded += n;
        bar.update(Math.floor((uploaded / Math.max(size, 1)) * 100));
      },
    );
  } catch (err) {
    bar.stop();
    console.error(`upload failed: ${(err as Error).message}`);
    return IMPORT_EXIT.failed;
  }
  if (answer.status !== 202 && answer.status !== 200) {
    bar.stop();
    const problem = answer.body as { code?: string; detail?: string } | undefined;
    console.error(
      `the node refused the file (${answer.status} ${problem?.code ?? ''}): ${problem?.detail ?? ''}`,
    );
    return IMPORT_EXIT.failed;
  }
  let view = answer.body as ImportView;
  if (answer.status === 200) {
    bar.update(0, {
      phase: 'existing  ',
      detail: `the campaign already has this file: import ${view.id}`,
    });
  }
  let shownPhase = 'uploading';
  const show = (v: ImportView): void => {
    bar.update(Math.floor(v.progress * 100), { phase: v.status.padEnd(10), detail: counts(v) });
    // without a terminal the bar is drawn once a second; a phase shorter than
    // that would leave no line in a log, so each new phase is drawn at once
    // (the last one is drawn by stop())
    const running = v.status === 'parsing' || v.status === 'committing';
    if (running && v.status !== shownPhase) bar.render();
    shownPhase = v.status;
  };
  while (view.status === 'parsing' || view.status === 'committing') {
    show(view);
    await new Promise((r) => setTimeout(r, opts.poll));
    const next = await patientStatus(new URL(`imports/${view.id}`, base), opts.token);
    if (typeof next === 'string') {
      bar.stop();
      console.error(
        `no progress from the node for ${STATUS_PATIENCE_MS / 1000} s (${next}); ` +
          `import ${view.id} may still be running: GET ${new URL(`imports/${view.id}`, base).toString()}`,
      );
      return IMPORT_EXIT.unknown;
    }
    view = next;
  }
  show(view);
  bar.stop();

  console.log(`import ${view.id} ${view.status}: ${counts(view)}`);
  if (view.findings > 0) {
    console.log(
      `report: ${new URL(view.report.replace(/^\//, ''), base).toString()} (${view.findings} findings)`,
    );
  }
  if (view.status === 'failed') {
    console.error(`failed: ${view.failure?.code ?? ''}: ${view.failure?.detail ?? ''}`);
    return IMPORT_EXIT.failed;
  }
  return view.rowsInvalid + view.rowsRefused > 0 ? IMPORT_EXIT.rowsNotImported : IMPORT_EXIT.ok;
}

function counts(v: ImportView): string {
  return (
    `${v.rowsRead} rows read, ${v.rowsValid} valid, ${v.rowsInvalid} invalid, ` +
    `${v.rowsCommitted} committed, ${v.rowsDuplicate} duplicates skipped, ${v.rowsRefused} refused`
  );
}

/** POSTs the file as it is read from disk; `onBytes` sees each piece sent. */
function upload(
  file: string,
  size: number,
  url: URL,
  token: string,
  onBytes: (n: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'text/csv; charset=utf-8',
          'content-length': size,
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? parseJson(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    const source = createReadStream(file);
    source.on('data', (piece) => onBytes(piece.length));
    source.on('error', (err) => req.destroy(err));
    source.pipe(req);
  });
}

/** How long the CLI keeps asking a node that does not answer before it gives up. */
const STATUS_PATIENCE_MS = 120_000;

/**
 * The import's progress, asked again on a network error or a 5xx (a busy
 * node, a keep-alive socket the node closed just as it was reused, a
 * restart): the import runs on the node whatever happens to this process, so
 * a failed poll says nothing about it. Gives up with the last error after
 * STATUS_PATIENCE_MS without an answer.
 */
async function patientStatus(url: URL, token: string): Promise<ImportView | string> {
  const deadline = Date.now() + STATUS_PATIENCE_MS;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await status(url, token);
    } catch (err) {
      if (err instanceof StatusRefused || Date.now() + wait > deadline) {
        if (err instanceof StatusRefused) throw err;
        return (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** A 4xx: asking again would get the same answer. */
class StatusRefused extends Error {}

async function status(url: URL, token: string): Promise<ImportView> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const message = `GET ${url.pathname} → ${res.status} ${(await res.text()).slice(0, 200)}`;
    throw res.status < 500 ? new StatusRefused(message) : new Error(message);
  }
  return (await res.json()) as ImportView;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}
