import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { CityNodeConfig } from '../city-node.config';

const run = promisify(execFile);

/** What a backup folder holds, written last: a folder without it is incomplete. */
export interface BackupManifest {
  node: string;
  /** epoch ms when the database copy was taken */
  takenAt: number;
  database: 'sqlite' | 'postgres';
  /** file name in the folder → size and SHA-256 (hex) */
  files: Record<string, { bytes: number; sha256: string }>;
  /** where each stream stood in the copy: what a restored node starts from */
  streams: { peer: string; direction: string; lastSeq: number }[];
}

export const MANIFEST = 'manifest.json';
const SQLITE_COPY = 'node.db';
const POSTGRES_COPY = 'node.pgdump';
const KEYS = 'keys';

/**
 * Writes a consistent copy of a node's database and its key material into a
 * new folder under `parent`, while the node runs: SQLite's online backup (one
 * snapshot, WAL included), or `pg_dump` (one snapshot, custom format). The
 * folder holds the node's private keys and its data key: keep it as private
 * as the node's own DATA_DIR (it is created 0700, its files 0600).
 */
export async function backupNode(config: CityNodeConfig, parent: string): Promise<string> {
  const takenAt = Date.now();
  const folder = join(
    parent,
    `${config.nodeCode}-${new Date(takenAt).toISOString().replace(/[:.]/g, '-')}`,
  );
  await mkdir(parent, { recursive: true });
  await mkdir(folder, { mode: 0o700 }); // fails if it exists: a backup never overwrites another
  let database: BackupManifest['database'];
  let streams: BackupManifest['streams'];
  if (config.databaseUrl.startsWith('sqlite:')) {
    database = 'sqlite';
    const live = new Database(config.databaseUrl.slice('sqlite:'.length), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      await live.backup(join(folder, SQLITE_COPY));
    } finally {
      live.close();
    }
    streams = sqliteStreams(join(folder, SQLITE_COPY));
  } else {
    database = 'postgres';
    streams = await dumpPostgres(config.databaseUrl, join(folder, POSTGRES_COPY));
  }
  await mkdir(join(folder, KEYS), { mode: 0o700 });
  for (const name of await readdir(config.keysDir)) {
    await copyFile(join(config.keysDir, name), join(folder, KEYS, name));
    await chmod(join(folder, KEYS, name), 0o600);
  }
  const files: BackupManifest['files'] = {};
  for (const name of [
    database === 'sqlite' ? SQLITE_COPY : POSTGRES_COPY,
    ...(await readdir(join(folder, KEYS))).map((n) => join(KEYS, n)),
  ]) {
    await chmod(join(folder, name), 0o600);
    const bytes = await readFile(join(folder, name));
    files[name] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const manifest: BackupManifest = { node: config.nodeCode, takenAt, database, files, streams };
  await writeFile(join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
  });
  return folder;
}

/** The folder's manifest, after checking every file it lists against its size and digest. */
export async function readBackup(folder: string): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(join(folder, MANIFEST), 'utf8')) as BackupManifest;
  for (const [name, expected] of Object.entries(manifest.files)) {
    const bytes = await readFile(join(folder, name));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== expected.bytes || sha256 !== expected.sha256) {
      throw new Error(`backup file ${name} does not match the manifest (damaged or changed)`);
    }
  }
  return manifest;
}

/**
 * Puts a backup in place for a node that is not running: the database copy
 * into an empty DATABASE_URL (SQLite: no file yet; PostgreSQL: an empty
 * database, `pg_restore`) and the keys into an empty KEYS_DIR.
 */
export async function restoreNode(config: CityNodeConfig, folder: string): Promise<BackupManifest> {
  const manifest = await readBackup(folder);
  if (manifest.node !== config.nodeCode) {
    throw new Error(`the backup is of node ${manifest.node}, this is node ${config.nodeCode}`);
  }
  const keys = await readdir(config.keysDir).catch(() => []);
  if (keys.length > 0)
    throw new Error(`KEYS_DIR ${config.keysDir} is not empty: restore into a fresh one`);
  if (manifest.database === 'sqlite') {
    if (!config.databaseUrl.startsWith('sqlite:'))
      throw new Error(
        'the backup is of a SQLite node: unset DATABASE_URL or point it to sqlite:<file>',
      );
    const file = config.databaseUrl.slice('sqlite:'.length);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      throw new Error(`${file} exists: restore into a fresh DATA_DIR`);
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    await copyFile(join(folder, SQLITE_COPY), file);
  } else {
    if (config.databaseUrl.startsWith('sqlite:'))
      throw new Error('the backup is of a PostgreSQL node: set DATABASE_URL to an empty database');
    await run('pg_restore', [
      '--no-owner',
      '--exit-on-error',
      `--dbname=${config.databaseUrl}`,
      join(folder, POSTGRES_COPY),
    ]);
  }
  await mkdir(config.keysDir, { recursive: true, mode: 0o700 });
  for (const name of Object.keys(manifest.files).filter((n) => n.startsWith(`${KEYS}/`))) {
    const target = join(config.keysDir, name.slice(KEYS.length + 1));
    await copyFile(join(folder, name), target);
    await chmod(target, 0o600);
  }
  return manifest;
}

function sqliteStreams(file: string): BackupManifest['streams'] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { peer: string; direction: string; lastSeq: number }>(
        'SELECT peer, direction, last_seq AS lastSeq FROM exchange_stream ORDER BY peer, direction',
      )
      .all();
  } finally {
    db.close();
  }
}

/**
 * pg_dump inside a transaction that exported its snapshot: the dump and the
 * stream positions in the manifest are the same instant.
 */
async function dumpPostgres(url: string, file: string): Promise<BackupManifest['streams']> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string }>(
      'SELECT pg_export_snapshot() AS snapshot',
    );
    const streams = await client.query<{ peer: string; direction: string; lastSeq: string }>(
      'SELECT peer, direction, last_seq AS "lastSeq" FROM exchange_stream ORDER BY peer, direction',
    );
    await run('pg_dump', [
      '--format=custom',
      '--no-owner',
      `--snapshot=${rows[0].snapshot}`,
      `--file=${file}`,
      url,
    ]);
    await client.query('COMMIT');
    return streams.rows.map((r) => ({ ...r, lastSeq: Number(r.lastSeq) }));
  } finally {
    await client.end();
  }
}
