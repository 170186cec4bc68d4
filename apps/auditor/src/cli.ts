import { Command } from 'commander';

/**
 * The auditor replays the exchange log and recomputes state and scores
 * (DESIGN §8). Commands are added here as they are built; each one only
 * reads Kafka or an export and never needs personal-data keys.
 */
export function buildAuditorCli(): Command {
  return new Command('auditor')
    .description(
      'Yipanqi auditor: replays the signed exchange log, verifies signatures and hash chains, ' +
        'recomputes agreement/task states and mutual-evaluation scores, and reports drift.',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError();
}
