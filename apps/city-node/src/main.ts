import 'reflect-metadata';
import { Command, Option } from 'commander';
import { ApiTokens, ROLES, Role } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { cityNodeConfigFromEnv } from './city-node.config';
import { startCityNode } from './city-node.app';
import { openCityNodeDatabase } from './database';

const program = new Command('city-node').description(
  'Yipanqi city node. Configured by environment variables (see README).',
);

program
  .command('serve', { isDefault: true })
  .description('run the node: admin API and exchange')
  .action(async () => {
    const config = cityNodeConfigFromEnv();
    const app = await startCityNode(config);
    console.log(`city-node ${config.nodeCode} listening on ${await app.getUrl()}`);
  });

program
  .command('issue-token')
  .description("issue a bearer token in this node's database and print it (shown only once)")
  .addOption(
    new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory(),
  )
  .requiredOption('--label <label>', 'who or what the token is for')
  .action(async (opts: { role: Role; label: string }) => {
    const db = await openCityNodeDatabase(cityNodeConfigFromEnv());
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
