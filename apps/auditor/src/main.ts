import { runAuditorCli } from './cli';

const argv = process.argv.length <= 2 ? [...process.argv, '--help'] : process.argv;
void runAuditorCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
);
