import { Command, Option } from 'commander';
import { DataSource } from 'typeorm';
import { Transactions } from '@yipanqi/persistence';
import { ApiTokens } from './api-tokens';
import { Role, ROLES } from './roles';

/**
 * `issue-token --role <role> --label <label>`: how an app's first admin token
 * (or any token, offline) is made. Prints only the token; it is shown once.
 */
export function issueTokenCommand(app: string, openDatabase: () => Promise<DataSource>): Command {
  return new Command('issue-token')
    .description(`issue a bearer token in the ${app}'s database and print it (shown only once)`)
    .addOption(
      new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory(),
    )
    .requiredOption('--label <label>', 'who or what the token is for')
    .action(async (opts: { role: Role; label: string }) => {
      const db = await openDatabase();
      try {
        const issued = await new ApiTokens(new Transactions(db)).issue(opts.role, opts.label);
        console.log(issued.token);
      } finally {
        await db.destroy();
      }
    });
}
