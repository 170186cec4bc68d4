const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const marker = path.join(repo, '.local', 'tests-started-kafka');

module.exports = async function globalTeardown() {
  if (!fs.existsSync(marker)) return;
  fs.rmSync(marker);
  execFileSync('bash', [path.join(repo, 'deploy', 'kafka', 'kafka.sh'), 'down'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
};
