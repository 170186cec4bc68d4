import { Command } from 'commander';
import { cityNodeConfigFromEnv } from '../city-node.config';
import { backupNode, restoreNode } from './node-backup';

/** `backup` and `restore`, configured by the node's own environment (docs/operations.md). */
export function backupCommands(): Command[] {
  return [
    new Command('backup')
      .description(
        "write a consistent copy of this node's database and keys into a new folder (the node may run)",
      )
      .requiredOption('--to <dir>', 'folder to create the backup in (one sub-folder per backup)')
      .action(async (opts: { to: string }) => {
        const folder = await backupNode(cityNodeConfigFromEnv(), opts.to);
        console.log(folder);
      }),
    new Command('restore')
      .description(
        'put a backup in place for this node (stopped; empty DATA_DIR or database, empty KEYS_DIR)',
      )
      .requiredOption('--from <folder>', 'a folder written by backup')
      .action(async (opts: { from: string }) => {
        const manifest = await restoreNode(cityNodeConfigFromEnv(), opts.from);
        console.log(
          `restored node ${manifest.node} as of ${new Date(manifest.takenAt).toISOString()}`,
        );
      }),
  ];
}
