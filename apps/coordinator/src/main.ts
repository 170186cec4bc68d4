import 'reflect-metadata';
import { Command, Option } from 'commander';
import { ApiTokens, ROLES, Role } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { startCoordinator } from './coordinator.app';
import { coordinatorConfigFromEnv } from './coordinator.config';
import { openCoordinatorDatabase } from './database';

const program = new Command('coordinator').description(
  'Yipanqi coordinator (node directory). Configured by environment variables (see docs/directory.md).',
);

program
  .command('serve', { isDefault: true })
  .description('run the coordinator: admin API and directory publisher')
  .action(async () => {
    const app = await startCoordinator(coordinatorConfigFromEnv());
    console.log(`coordinator listening on ${await app.getUrl()}`);
  });

program
  .command('issue-token')
  .description("issue a bearer token in the coordinator's database and print it (shown only once)")
  .addOption(
    new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory(),
  )
  .requiredOption('--label <label>', 'who or what the token is for')
  .action(async (opts: { role: Role; label: string }) => {
    const db = await openCoordinatorDatabase(coordinatorConfigFromEnv());
    try {
      const issued = await new ApiTokens(new Transactions(db)).issue(opts.role, opts.label);
      console.log(issued.token);
    } finally {
      await db.destroy();
    }
  });

program.parseAsync().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
