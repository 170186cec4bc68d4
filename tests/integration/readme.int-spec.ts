/**
 * The README, run as written: every ```bash block in order, each in a fresh
 * `bash -euo pipefail` (so each block must stand on its own, as it does for a
 * reader who pastes it into a new terminal), against a local network started
 * the way `npm run local` starts it. `curl` is a wrapper that adds
 * `--fail-with-body`: an HTTP error fails the block, where the README's plain
 * `curl -s` would print the problem and carry on. Beyond each block's exit
 * status the test checks what the README's comments promise: the notices
 * arrive with their receipts, the verification is answered `VALID`
 * automatically, the agreements verify, the auditor finds the log clean, and a
 * new city (宜昌 420500) registered, approved and started as "How staff
 * register a city" says exchanges a notice with a demo city.
 *
 * The README's paths are relative (`.local/network/...`) and its ports fixed,
 * so the blocks run in a temporary folder that looks like the repository to
 * them (package.json, node_modules and dist linked, `.local/network` a link to
 * this test's own data root, which network.js takes from LOCAL_NETWORK_DIR),
 * under a topic prefix of their own: a demo network or other tests on the same
 * broker never see this one. The README's ports must be free: the test stops
 * at once when they are not.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import stringWidth from 'string-width';
import { kafkaSettingsFromEnv } from '@yipanqi/kafka-access';
import { eventually } from '../support/city-nodes';
import { testPkiDir, uniqueName } from '../support/kafka';

const repo = resolve(__dirname, '../..');
const network = JSON.parse(readFileSync(join(repo, 'deploy/local/network.json'), 'utf8')) as {
  coordinator: { port: number };
  cityNodes: { code: string; port: number }[];
};
/** the port "How staff register a city" gives 宜昌's node, beside the demo network's */
const NEW_CITY_PORT = 3004;
const PORTS = [network.coordinator.port, ...network.cityNodes.map((n) => n.port), NEW_CITY_PORT];

const NETWORK_UP_MS = 180000;
const BLOCK_MS = 150000;
const STOP_MS = 45000;

interface Block {
  heading: string;
  /** which block under its heading, from 0 */
  ordinal: number;
  script: string;
}

/** The ```bash blocks of a markdown text, in order, each with the heading it sits under. */
function bashBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let fence: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    const opening = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      if (line.trim() === '```') {
        if (fence.lang === 'bash') {
          const ordinal = blocks.filter((b) => b.heading === heading).length;
          blocks.push({ heading, ordinal, script: fence.lines.join('\n') + '\n' });
        }
        fence = undefined;
      } else {
        fence.lines.push(line);
      }
    } else if (opening) {
      fence = { lang: opening[1], lines: [] };
    } else {
      // a `#` inside a fence is a shell comment, not a heading: only outside fences
      const title = /^#{1,6}\s+(.*)$/.exec(line);
      if (title) heading = title[1].trim();
    }
  }
  if (fence) throw new Error('README.md: a code fence is never closed');
  return blocks;
}

/**
 * Blocks this test does not run, and why. The quick start's `npm run local` is
 * what this test does itself (minus setup.sh, whose install and build
 * `npm run check` has done before the tests, and without blocking in the
 * foreground); its `npm run check` would run this test inside itself. The
 * Docker section needs a Docker engine, which the build machines lack (CI
 * checks the compose file statically instead, tests/meta/compose.spec.ts).
 */
const SKIPPED: Record<string, (script: string) => boolean> = {
  'Quick start': (script) =>
    script
      .split('\n')
      .filter((l) => l.trim())
      .every((l) => /^npm run (local|check)\b/.test(l)),
  'With Docker instead': () => true,
};

interface BlockRun {
  output: string;
  errors: string;
}

async function portTaken(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(true));
    server.listen(port, '127.0.0.1', () => server.close(() => done(false)));
  });
}

/** Waits for a process group to end (SIGKILL after the deadline); true when it ended by itself. */
async function groupEnded(pgid: number, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (alive()) {
    if (Date.now() > deadline) {
      process.kill(-pgid, 'SIGKILL');
      return false;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** The promise's value, or the fallback's once `ms` have passed. */
async function within<T, F>(ms: number, promise: Promise<T>, fallback: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((done) => {
    timer = setTimeout(() => done(fallback()), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const tokensOf = (dataRoot: string, dir: string) =>
  JSON.parse(readFileSync(join(dataRoot, dir, 'tokens.json'), 'utf8')) as Record<string, string>;

const blocks = bashBlocks(readFileSync(join(repo, 'README.md'), 'utf8'));

describe('README', () => {
  const topicPrefix = uniqueName('readme').replace(/\./g, '-');
  const root = mkdtempSync(join(tmpdir(), 'yipanqi-readme-'));
  const dataRoot = join(root, 'network');
  const cwd = join(root, 'repo');
  const bin = join(root, 'bin');
  const brokers = kafkaSettingsFromEnv().brokers.join(',');
  /** process groups to stop at the end: the network, and each block's (宜昌's node lives on in its) */
  const blockGroups: number[] = [];
  let networkProcess: ChildProcess | undefined;
  let networkLog = '';

  const blockEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    TOPIC_PREFIX: topicPrefix,
    KAFKA_BROKERS: brokers,
  });

  beforeAll(async () => {
    const taken = [];
    for (const port of PORTS) if (await portTaken(port)) taken.push(port);
    if (taken.length) {
      throw new Error(
        `ports ${taken.join(', ')} are taken: the README's blocks use the fixed ports ` +
          `${PORTS.join(', ')}; stop whatever holds them (a running \`npm run local\`?)`,
      );
    }

    mkdirSync(dataRoot);
    mkdirSync(join(cwd, '.local'), { recursive: true });
    for (const entry of ['package.json', 'node_modules', 'dist']) {
      symlinkSync(join(repo, entry), join(cwd, entry));
    }
    symlinkSync(dataRoot, join(cwd, '.local', 'network'));
    mkdirSync(bin);
    const realCurl = execFileSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'curl'),
      [
        '#!/usr/bin/env bash',
        '# The README test: an HTTP error status fails the command (and so the block),',
        '# its body still on stdout as the README shows it, and on stderr for the test.',
        'body=$(mktemp)',
        'status=0',
        `${JSON.stringify(realCurl)} --fail-with-body "$@" >"$body" || status=$?`,
        'cat "$body"',
        '[ "$status" = 0 ] || echo "curl $*: exit $status: $(cat "$body")" >&2',
        'rm -f "$body"',
        'exit "$status"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );

    // as `npm run local` runs it (deploy/local/run.sh), with this test's data root and prefix
    const child = spawn(
      'bash',
      [
        'deploy/kafka/with-broker.sh',
        'node',
        'deploy/local/network.js',
        'deploy/local/network.json',
      ],
      {
        cwd: repo,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          LOCAL_NETWORK_DIR: dataRoot,
          TOPIC_PREFIX: topicPrefix,
          KAFKA_BROKERS: brokers,
          KAFKA_OPERATOR_CREDENTIALS:
            process.env.KAFKA_OPERATOR_CREDENTIALS || join(testPkiDir(), 'operator'),
        },
      },
    );
    networkProcess = child;
    const keep = (chunk: Buffer) => {
      networkLog = (networkLog + chunk.toString()).slice(-400000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await eventually(
      () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`network.js exited before it was up:\n${networkLog.slice(-8000)}`);
        }
        return networkLog.includes('Yipanqi local network is up');
      },
      NETWORK_UP_MS,
      () => `the network, whose log ends:\n${networkLog.slice(-8000)}`,
    );
    // the table follows the summary line in the same write or right after it
    await eventually(() => networkLog.includes('auditor certificate'), 5000, 'the start-up table');
  }, NETWORK_UP_MS + 30000);

  afterAll(
    async () => {
      for (const pgid of blockGroups) signalGroup(pgid, 'SIGTERM');
      await Promise.all(blockGroups.map((pgid) => groupEnded(pgid, STOP_MS)));
      const child = networkProcess;
      if (child?.pid !== undefined) {
        signalGroup(child.pid, 'SIGTERM');
        await groupEnded(child.pid, STOP_MS);
      }
      rmSync(root, { recursive: true, force: true });
    },
    2 * STOP_MS + 10000,
  );

  it('prints a summary and a table aligned by display width', () => {
    expect(networkLog).toMatch(
      /Yipanqi local network is up: 1 coordinator, 3 city nodes, 3 agreements in force, broker \S+ \(mutual TLS\)/,
    );
    const rows = networkLog
      .split('\n')
      .filter((l) => /^ {2}\S.*\s(http:\/\/|\/)/.test(l) && !l.startsWith('['));
    expect(rows.length).toBeGreaterThanOrEqual(1 + 3 + 3);
    // the second column starts at one terminal column in every row, Chinese names or not
    const columns = new Set(rows.map((l) => stringWidth(l.slice(0, l.search(/ (http:\/\/|\/)/)))));
    expect(columns.size).toBe(1);
  });

  /** What each block's comments promise, beyond exiting 0; by heading, then block. */
  const promises: Record<string, ((run: BlockRun) => Promise<void> | void)[]> = {
    'Set up an agreement between two cities': [
      ({ output }) => {
        // curl prints no newline: the verification is the block's last JSON
        const verification = JSON.parse(output.slice(output.lastIndexOf('{"agreementId"'))) as {
          hashMatchesText: boolean;
          signatures: { valid: boolean }[];
        };
        expect(verification.hashMatchesText).toBe(true);
        expect(verification.signatures.map((s) => s.valid)).toEqual([true, true]);
      },
    ],
    'Send a notice between two demo cities': [
      ({ output }) => {
        expect(output).toMatch(/"direction":"received","peer":"441300"/);
        expect(output).toMatch(/"title":"宣传月"/);
      },
    ],
    'Walkthrough: one arrival and one verification with curl': [
      ({ output }) => expect(output).toMatch(/answered VALID automatic\n$/),
    ],
    Auditing: [
      () => {
        const report = JSON.parse(readFileSync(join(cwd, 'audit-report', 'report.json'), 'utf8'));
        expect(report.verdict).toBe('clean');
        expect(existsSync(join(cwd, 'audit-archive'))).toBe(true);
      },
    ],
    'How staff register a city': [
      ({ output }) => expect(output).toMatch(/"status":"pending"/),
      ({ output }) => expect(output).toMatch(/"code":"420500".*"status":"active"/),
      () => {
        const tokens = tokensOf(dataRoot, '420500');
        expect(Object.keys(tokens).sort()).toEqual(['admin', 'coordinator']);
      },
      async () => {
        // 宜昌's first notice: received by 深圳, answered with a receipt
        const yc = tokensOf(dataRoot, '420500').coordinator;
        const sz = tokensOf(dataRoot, '440300').coordinator;
        const sent = await getJson<{ id: string; peer: string; delivery: { state: string } }[]>(
          `http://127.0.0.1:${NEW_CITY_PORT}/notices?direction=sent`,
          yc,
        );
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ peer: '440300', delivery: { state: 'receipt' } });
        const received = await getJson<{ id: string; peer: string }[]>(
          'http://127.0.0.1:3002/notices?direction=received',
          sz,
        );
        expect(received).toContainEqual(
          expect.objectContaining({ id: sent[0].id, peer: '420500' }),
        );
      },
      async () => {
        const admin = tokensOf(dataRoot, 'coordinator').admin;
        const entry = await getJson<{ status: string; keys: unknown[] }>(
          `http://127.0.0.1:${network.coordinator.port}/nodes/421000`,
          admin,
        );
        expect(entry.status).toBe('active');
        expect(entry.keys).toHaveLength(2);
      },
    ],
  };

  it('has a promise checked for every block it runs under the headings it knows', () => {
    for (const [heading, checks] of Object.entries(promises)) {
      expect([heading, blocks.filter((b) => b.heading === heading).length]).toEqual([
        heading,
        checks.length,
      ]);
    }
    for (const [heading, skipped] of Object.entries(SKIPPED)) {
      for (const b of blocks.filter((x) => x.heading === heading))
        expect(skipped(b.script)).toBe(true);
    }
  });

  let failed: string | undefined;
  for (const [n, block] of blocks.entries()) {
    // the Quick start's own commands are what this test stands in for (checked above)
    if (SKIPPED[block.heading]?.(block.script)) continue;
    const title = `block ${n + 1}: ${block.heading}${block.ordinal ? ` (${block.ordinal + 1})` : ''}`;
    it(
      title,
      async () => {
        // a block builds on the ones before it: after a failure the rest would only repeat it
        if (failed) throw new Error(`not run: ${failed} failed`);
        failed = title;
        // the README names the demo's prefix in credential folders; this network has its own
        const script = block.script.replaceAll(
          'kafka-credentials/yipanqi.',
          `kafka-credentials/${topicPrefix}.`,
        );
        const file = join(root, `block-${n + 1}.sh`);
        writeFileSync(file, script);
        const run = await runBlock(file);
        if (run.status !== 0) {
          const yichangLog = join(dataRoot, '420500', 'node.log');
          throw new Error(
            `${title} exited ${run.status}\n--- script\n${script}\n--- stdout\n${run.output}` +
              `\n--- stderr\n${run.errors}\n--- network (last lines)\n${networkLog.slice(-6000)}` +
              (existsSync(yichangLog)
                ? `\n--- 420500 node.log\n${readFileSync(yichangLog, 'utf8').slice(-6000)}`
                : ''),
          );
        }
        await promises[block.heading]?.[block.ordinal]?.(run);
        failed = undefined;
      },
      BLOCK_MS + 10000,
    );
  }

  async function runBlock(file: string): Promise<BlockRun & { status: number | string }> {
    // a group of its own: what the block leaves running in the background is stopped with it
    const child = spawn('bash', ['-euo', 'pipefail', file], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: blockEnv(),
    });
    if (child.pid !== undefined) blockGroups.push(child.pid);
    let output = '';
    let errors = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    const closed = new Promise<void>((done) => child.once('close', () => done()));
    const exited = new Promise<number | string>((done) =>
      child.once('exit', (code, signal) => done(signal ?? code ?? -1)),
    );
    const status = await within(BLOCK_MS, exited, () => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      return `no exit within ${BLOCK_MS / 1000} s`;
    });
    // the rest of its output; a background process that kept the pipes open must not hold the test
    await within(5000, closed, () => undefined);
    return { status, output, errors };
  }
});
