import { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isNodeCode, TOPIC_PREFIX, utcInstantMs } from '@yipanqi/contracts';
import { importSigningPublicKey } from '@yipanqi/crypto';
import { Period } from '@yipanqi/evaluation';
import { connectionOf, kafkaEndpointFromEnv, kafkaSettingsFromEnv } from '@yipanqi/kafka-access';
import { KafkaSource, LogSource } from '@yipanqi/exchange-log';
import { ArchiveSource } from './archive/archive-source';
import { EXIT_CLEAN, EXIT_OPERATIONAL_ERROR, exportArchive, replay } from './commands';
import {
  archiveDifference,
  describeCounts,
  manifestCounts,
  replayCounts,
} from './report/record-counts';

/** Where the CLI talks to: the process's streams and environment, or a test's. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** A UTC instant, read strictly as scores read them: a broker time has no local time zone. */
function instant(value: string): number {
  const ms = utcInstantMs(value);
  if (ms === undefined) {
    throw new InvalidArgumentError('not a UTC instant, e.g. 2026-01-01T00:00:00Z');
  }
  return ms;
}

/** An ISO 8601 interval of two UTC instants, `start/end`: the evaluation period `[start, end)`. */
function period(value: string): Period {
  const [start, end, ...rest] = value.split('/');
  if (rest.length > 0 || end === undefined) {
    throw new InvalidArgumentError('start/end, e.g. 2026-01-01T00:00:00Z/2026-04-01T00:00:00Z');
  }
  return { start: instant(start), end: instant(end) };
}

function nodeCodes(value: string): string[] {
  const codes = value.split(',').map((c) => c.trim());
  const bad = codes.filter((c) => !isNodeCode(c));
  if (bad.length > 0) throw new InvalidArgumentError(`not node codes: ${bad.join(', ')}`);
  return codes;
}

function hours(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) {
    throw new InvalidArgumentError('a positive number of hours');
  }
  return n;
}

function brokerList(value: string): string[] {
  return kafkaSettingsFromEnv({ KAFKA_BROKERS: value }).brokers;
}

interface SourceOptions {
  brokers?: string[];
  kafkaCredentials?: string;
  topicPrefix?: string;
  from?: number;
  to?: number;
  nodes?: string[];
  progress: boolean;
}

interface ReplayCliOptions extends SourceOptions {
  archive?: string;
  coordinatorKey?: string;
  coordinatorKeyFile?: string;
  asOf?: number;
  period?: Period;
  answerWindowHours: number;
  reportDir: string;
  force: boolean;
}

interface ExportCliOptions extends SourceOptions {
  out: string;
}

/** The coordinator's Ed25519 key, as a node reads it: option, then COORDINATOR_KEY(_FILE). */
function coordinatorKey(options: ReplayCliOptions, env: NodeJS.ProcessEnv): KeyObject {
  const file = options.coordinatorKeyFile ?? env.COORDINATOR_KEY_FILE;
  const raw =
    options.coordinatorKey ??
    (options.coordinatorKeyFile ? undefined : env.COORDINATOR_KEY) ??
    (file ? readFileSync(file, 'utf8').trim() : undefined);
  if (!raw) {
    throw new Error(
      'the coordinator key is needed to trust the directory: --coordinator-key, ' +
        '--coordinator-key-file, COORDINATOR_KEY or COORDINATOR_KEY_FILE',
    );
  }
  return importSigningPublicKey(raw);
}

function withSourceOptions(command: Command): Command {
  return command
    .option(
      '--brokers <host:port,…>',
      'Kafka bootstrap servers (default: KAFKA_BROKERS, else the local broker)',
      brokerList,
    )
    .option(
      '--kafka-credentials <dir>',
      "the auditor's Kafka certificate: key.pem, cert.pem, ca.pem (default: KAFKA_CREDENTIALS_DIR, else ./kafka-credentials)",
    )
    .option('--topic-prefix <prefix>', 'topic namespace (default: TOPIC_PREFIX, else yipanqi)')
    .option('--from <instant>', 'first broker time to read (offsetsForTimes)', instant)
    .option('--to <instant>', 'broker time to stop before', instant)
    .option(
      '--nodes <codes>',
      'only these inboxes, e.g. 441300,511500 (default: every inbox)',
      nodeCodes,
    )
    .option('--no-progress', 'no progress bar on stderr');
}

/**
 * The auditor replays the exchange log and recomputes state and scores
 * (DESIGN §8). Each command only reads Kafka or an export and never needs
 * personal-data keys.
 */
export function buildAuditorCli(io: CliIo, done: (code: number) => void): Command {
  const cli = new Command('auditor')
    .description(
      'Yipanqi auditor: replays the signed exchange log, verifies signatures and hash chains, ' +
        'recomputes agreement/task states and mutual-evaluation scores, and reports drift.',
    )
    .version(io.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const kafkaOptions = (o: SourceOptions) => ({
    kafka: connectionOf(
      kafkaEndpointFromEnv(
        {
          ...io.env,
          ...(o.brokers && { KAFKA_BROKERS: o.brokers.join(',') }),
          ...(o.kafkaCredentials && { KAFKA_CREDENTIALS_DIR: o.kafkaCredentials }),
        },
        'kafka-credentials',
      ),
    ),
    topicPrefix: o.topicPrefix ?? (io.env.TOPIC_PREFIX || TOPIC_PREFIX),
    from: o.from,
    to: o.to,
    nodes: o.nodes,
  });

  withSourceOptions(
    cli
      .command('replay')
      .description(
        'verify the log from Kafka (default) or an export archive; writes report.json and ' +
          'report.html; exit 0 clean, 2 discrepancies, 1 the audit could not be done',
      ),
  )
    .addOption(
      new Option('--archive <dir>', 'replay an export archive instead of Kafka').conflicts([
        'brokers',
        'from',
        'to',
      ]),
    )
    .option('--coordinator-key <base64url>', "the coordinator's Ed25519 public key (raw)")
    .option('--coordinator-key-file <file>', 'a file holding it')
    .option(
      '--as-of <instant>',
      'judge answers and scores as of this instant (default: --to, else the cut)',
      instant,
    )
    .option('--period <start/end>', "recompute every pair's score for [start, end)", period)
    .option(
      '--answer-window-hours <h>',
      'a message younger than this at as-of may still be answered',
      hours,
      24,
    )
    .option('--report-dir <dir>', 'where report.json and report.html go', 'audit-report')
    .option('--force', 'overwrite a report already in --report-dir', false)
    .action(async (options: ReplayCliOptions) => {
      const archive =
        options.archive === undefined
          ? undefined
          : new ArchiveSource(options.archive, options.nodes);
      const source: LogSource =
        archive ?? new KafkaSource({ ...kafkaOptions(options), reader: 'auditor' });
      const outcome = await replay({
        source,
        coordinatorKey: coordinatorKey(options, io.env),
        reportDir: options.reportDir,
        force: options.force,
        asOf: options.asOf,
        period: options.period,
        answerWindowMs: options.answerWindowHours * 3600_000,
        progress: { stream: io.stderr, enabled: options.progress },
      });
      const s = outcome.report.summary;
      const read = replayCounts(s);
      const difference = archive && archiveDifference(read, archive.manifest, options.nodes);
      io.stdout.write(
        `${outcome.exitCode === EXIT_CLEAN ? 'clean' : 'DISCREPANCIES'}: ` +
          `${describeCounts(read)}, ${s.streams} streams, ${s.findings} findings, ` +
          `${s.awaitingAnswers} awaiting an answer\n` +
          (difference ? `${difference}\n` : '') +
          `${outcome.reportHtml}\n${outcome.reportJson}\n`,
      );
      done(outcome.exitCode);
    });

  withSourceOptions(
    cli
      .command('export')
      .description('write the directory and inbox topics to an archive folder (NDJSON + manifest)'),
  )
    .requiredOption('--out <dir>', 'a new or empty folder')
    .action(async (options: ExportCliOptions) => {
      const manifest = await exportArchive({
        ...kafkaOptions(options),
        out: options.out,
        progress: { stream: io.stderr, enabled: options.progress },
      });
      io.stdout.write(
        `exported ${describeCounts(manifestCounts(manifest))} in ${manifest.files.length} files ` +
          `to ${options.out} (cut at ${manifest.cutAt})\n`,
      );
      done(EXIT_CLEAN);
    });
  return cli;
}

/** Runs the CLI on `argv` and resolves to its exit code; never throws. */
export async function runAuditorCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT_CLEAN;
  const cli = buildAuditorCli(io, (c) => (code = c)).exitOverride();
  for (const sub of cli.commands) sub.exitOverride();
  try {
    await cli.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end here too, with code 0; usage errors were already printed
      return err.exitCode === 0 ? EXIT_CLEAN : EXIT_OPERATIONAL_ERROR;
    }
    io.stderr.write(`auditor: ${(err as Error).message}\n`);
    return EXIT_OPERATIONAL_ERROR;
  }
}
