import { Command } from 'commander';
import { copyToPostgres, CopiedTable } from '@yipanqi/persistence';
import { CityNodeConfig, cityNodeConfigFromEnv } from './city-node.config';
import { openCityNodeDatabase } from './database';

/**
 * Copies a stopped node's SQLite database into an empty PostgreSQL database
 * (migrated here to the same schema); the node then starts with
 * DATABASE_URL set to it. Keys and tokens stay where they are (key files in
 * KEYS_DIR; tokens are rows, so they are copied).
 */
export async function migrateNodeToPostgres(
  config: CityNodeConfig,
  postgresUrl: string,
  log: (line: string) => void = () => undefined,
): Promise<CopiedTable[]> {
  if (!config.databaseUrl.startsWith('sqlite:')) {
    throw new Error(
      `the node's database is not SQLite (DATABASE_URL=${redact(config.databaseUrl)})`,
    );
  }
  if (!/^postgres(ql)?:\/\//.test(postgresUrl)) {
    throw new Error('--to must be a postgres:// URL');
  }
  const source = await openCityNodeDatabase(config);
  try {
    const target = await openCityNodeDatabase({ ...config, databaseUrl: postgresUrl });
    try {
      return await copyToPostgres(source, target, log);
    } finally {
      await target.destroy();
    }
  } finally {
    await source.destroy();
  }
}

/** A URL for the terminal: without its password. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export function migrateToPostgresCommand(): Command {
  return new Command('migrate-to-postgres')
    .description(
      "copy this node's SQLite database into an empty PostgreSQL database; stop the node first (docs/operations.md)",
    )
    .requiredOption('--to <url>', 'postgres://… URL of an empty database, created beforehand')
    .action(async (opts: { to: string }) => {
      const config = cityNodeConfigFromEnv();
      const copied = await migrateNodeToPostgres(config, opts.to, (line) => console.log(line));
      const rows = copied.reduce((sum, t) => sum + t.rows, 0);
      console.log(
        `copied ${rows} rows in ${copied.length} tables; start the node with DATABASE_URL=${redact(opts.to)} (the same DATA_DIR and KEYS_DIR)`,
      );
    });
}
