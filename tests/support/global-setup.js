// Integration tests need a real broker. With KAFKA_BROKERS set we use that
// cluster and start nothing; otherwise we start the local deploy/kafka broker
// unless it is already up, and remember to stop only what we started.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const marker = path.join(repo, '.local', 'tests-started-kafka');
const script = path.join(repo, 'deploy', 'kafka', 'kafka.sh');

module.exports = async function globalSetup() {
  if (process.env.KAFKA_BROKERS) return;
  try {
    execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
    return;
  } catch {
    // down: start it below
  }
  execFileSync('bash', [script, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, String(process.pid));
};
