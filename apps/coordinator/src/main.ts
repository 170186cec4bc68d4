import 'reflect-metadata';
import { Command } from 'commander';
import { issueTokenCommand } from '@yipanqi/http-api';
import { startCoordinator } from './coordinator.app';
import { coordinatorConfigFromEnv } from './coordinator.config';
import { openCoordinatorDatabase } from './database';
import { provisionKafkaCommand } from './provisioning/provision-kafka.command';

const program = new Command('coordinator').description(
  'Yipanqi coordinator (node directory). Configured by environment variables (see docs/directory.md).',
);

program
  .command('serve', { isDefault: true })
  .description('run the coordinator: admin API and directory publisher')
  .action(async () => {
    // the app logs `listening` as a JSON line itself: stdout holds log lines only
    await startCoordinator(coordinatorConfigFromEnv());
  });

program.addCommand(
  issueTokenCommand('coordinator', () => openCoordinatorDatabase(coordinatorConfigFromEnv())),
);

program.addCommand(provisionKafkaCommand());

program.parseAsync().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
