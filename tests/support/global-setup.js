// Integration tests need a real broker. With KAFKA_BROKERS set we use that
// cluster and start nothing; otherwise we start the local deploy/kafka broker
// unless it is already up, and remember to stop only what we started.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const marker = path.join(repo, '.local', 'tests-started-kafka');
const script = path.join(repo, 'deploy', 'kafka', 'kafka.sh');

// Fault tests run the built city node as child processes (tests/support/node-process.ts):
// rebuild it when any source it is built from is newer than the build.
const cityNodeMain = path.join(repo, 'dist/apps/city-node/apps/city-node/src/main.js');

function newestSource(dir, extensions = ['.ts']) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full, extensions));
    else if (extensions.includes(path.extname(entry.name))) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

function buildCityNodeIfStale() {
  const built = fs.existsSync(cityNodeMain) ? fs.statSync(cityNodeMain).mtimeMs : 0;
  const sources = Math.max(
    newestSource(path.join(repo, 'apps/city-node/src')),
    newestSource(path.join(repo, 'libs')),
  );
  if (sources <= built) return;
  console.log('\nglobal setup: building city-node for the process tests');
  execFileSync(path.join(repo, 'node_modules/.bin/nest'), ['build', 'city-node'], {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

// The workbench test drives the built single-page app, which the node serves from dist/.
const workbenchSources = path.join(repo, 'apps/city-node/workbench');
const workbenchIndex = path.join(repo, 'dist/apps/city-node/workbench/index.html');

function buildWorkbenchIfStale() {
  const built = fs.existsSync(workbenchIndex) ? fs.statSync(workbenchIndex).mtimeMs : 0;
  const sources = newestSource(workbenchSources, ['.ts', '.mts', '.vue', '.css', '.html']);
  if (sources <= built) return;
  console.log('\nglobal setup: building the workbench');
  execFileSync(path.join(repo, 'node_modules/.bin/vite'), ['build', workbenchSources], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

module.exports = async function globalSetup() {
  buildCityNodeIfStale();
  buildWorkbenchIfStale();
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
