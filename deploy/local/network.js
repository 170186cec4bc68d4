// Starts the coordinator and one city node per entry of the network file as
// child processes, waits until each answers GET /health, prints their URLs and
// stops them all on Ctrl-C (or when any of them dies).
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const network = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const dist = (app) => path.join(repo, 'dist/apps', app, 'apps', app, 'src/main.js');

// Until the coordinator's signed directory exists, every node learns its
// partners' public keys from one peers file. Keys are created on first run in
// each node's data folder and kept across runs.
const { loadOrCreateNodeKeys, exportPublicKeys } = require(
  path.join(repo, 'dist/apps/city-node/libs/crypto/src'),
);
const dataRoot = path.join(repo, '.local', 'network');
const peers = {};
for (const n of network.cityNodes) {
  peers[n.code] = exportPublicKeys(loadOrCreateNodeKeys(path.join(dataRoot, n.code, 'keys')));
}
fs.mkdirSync(dataRoot, { recursive: true });
const peersFile = path.join(dataRoot, 'peers.json');
fs.writeFileSync(peersFile, JSON.stringify(peers, null, 2));

// Each node gets one bearer token per role on first run, kept (mode 0600) in
// its data folder so that the README's curl examples can read them.
const roles = ['admin', 'coordinator', 'auditor'];
for (const n of network.cityNodes) {
  const file = path.join(dataRoot, n.code, 'tokens.json');
  if (fs.existsSync(file)) continue;
  const tokens = {};
  for (const role of roles) {
    const args = [dist('city-node'), 'issue-token', '--role', role, '--label', `local ${role}`];
    const env = { ...process.env, NODE_CODE: n.code, DATA_DIR: path.join(dataRoot, n.code) };
    tokens[role] = execFileSync(process.execPath, args, { env, encoding: 'utf8' }).trim();
  }
  fs.writeFileSync(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
}

const apps = [
  { label: 'coordinator', script: dist('coordinator'), port: network.coordinator.port, env: {} },
  ...network.cityNodes.map((n) => ({
    label: `city-node ${n.code} ${n.name}`,
    script: dist('city-node'),
    port: n.port,
    env: {
      NODE_CODE: n.code,
      NODE_NAME: n.name,
      DATA_DIR: path.join(dataRoot, n.code),
      PEERS_FILE: peersFile,
    },
  })),
];

const children = [];
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

for (const app of apps) {
  const child = spawn(process.execPath, [app.script], {
    env: { ...process.env, ...app.env, HTTP_PORT: String(app.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${app.label}] `;
  const relay = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(prefix + line + '\n');
    });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the network`);
      stopAll(1);
    }
  });
  children.push(child);
}

async function healthy(port) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answered on port ${port} within 30 s`);
}

Promise.all(apps.map((a) => healthy(a.port)))
  .then(() => {
    console.log('\nYipanqi local network is up (Ctrl-C stops it):');
    for (const app of apps) {
      console.log(`  ${app.label.padEnd(28)} http://127.0.0.1:${app.port}/health`);
    }
    console.log(`\n  bearer tokens per node: ${path.join(dataRoot, '<code>', 'tokens.json')}`);
    console.log('');
  })
  .catch((err) => {
    console.error(err.message);
    stopAll(1);
  });
