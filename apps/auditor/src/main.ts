import { buildAuditorCli } from './cli';

const cli = buildAuditorCli();
if (process.argv.length <= 2) {
  cli.outputHelp();
} else {
  cli.parse(process.argv);
}
