import 'reflect-metadata';
import { Command } from 'commander';
import { exportPublicKeys, loadOrCreateNodeKeys } from '@yipanqi/crypto';
import { keyFingerprint, signRegistration } from '@yipanqi/directory';
import { issueTokenCommand } from '@yipanqi/http-api';
import { backupCommands } from './backup/backup.command';
import { importArrivalsCommand } from './campaign-import/import-arrivals.command';
import { cityNodeConfigFromEnv } from './city-node.config';
import { startCityNode } from './city-node.app';
import { openCityNodeDatabase } from './database';
import { migrateToPostgresCommand } from './migrate-to-postgres.command';

const program = new Command('city-node').description(
  'Yipanqi city node. Configured by environment variables (see README).',
);

program
  .command('serve', { isDefault: true })
  .description('run the node: admin API and exchange')
  .action(async () => {
    // the app logs `listening` as a JSON line itself: stdout holds log lines only
    await startCityNode(cityNodeConfigFromEnv());
  });

program.addCommand(
  issueTokenCommand('city node', () => openCityNodeDatabase(cityNodeConfigFromEnv())),
);

program
  .command('register')
  .description(
    'ask the coordinator to list this node in the directory with its own key files; staff approve it',
  )
  .requiredOption(
    '--coordinator <url>',
    'base URL of the coordinator API',
    process.env.COORDINATOR_URL,
  )
  .action(async (opts: { coordinator: string }) => {
    const config = cityNodeConfigFromEnv();
    const keys = loadOrCreateNodeKeys(config.keysDir);
    const published = exportPublicKeys(keys);
    const res = await fetch(new URL('registrations', `${opts.coordinator.replace(/\/$/, '')}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: config.nodeCode,
        ...(config.nodeName ? { name: config.nodeName } : {}),
        ...published,
        proof: signRegistration(config.nodeCode, published, keys.signing.privateKey),
      }),
    });
    const body = await res.text();
    if (!res.ok)
      throw new Error(`the coordinator refused the registration (${res.status}): ${body}`);
    console.log(body);
    console.error(
      `registration pending; tell the coordinator's staff this fingerprint: ${keyFingerprint(published.signingKey)}`,
    );
  });

program.addCommand(importArrivalsCommand());
program.addCommand(migrateToPostgresCommand());
for (const command of backupCommands()) program.addCommand(command);

program.parseAsync().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
