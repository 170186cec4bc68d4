// Starts the coordinator, lists the demo cities in its signed directory (each
// city registers itself with its own CLI and the coordinator's admin approves
// it, as staff would), then starts one city node per entry of the network
// file as child processes, waits until each answers GET /health, prints their
// URLs and stops them all on Ctrl-C (or when any of them dies).
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const stringWidth = require('string-width');

const repo = path.resolve(__dirname, '../..');
const network = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const dist = (app) => path.join(repo, 'dist/apps', app, 'apps', app, 'src/main.js');
// LOCAL_NETWORK_DIR lets a second network (the README test's) keep its data apart from the demo's.
const dataRoot = path.resolve(
  process.env.LOCAL_NETWORK_DIR || path.join(repo, '.local', 'network'),
);
const roles = ['admin', 'coordinator', 'auditor'];

// One bearer token per role on first run, kept (mode 0600) in the app's data
// folder so that the README's curl examples can read them.
function tokensFor(app, env, dataDir) {
  const file = path.join(dataDir, 'tokens.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(dataDir, { recursive: true });
  const tokens = {};
  for (const role of roles) {
    const args = [dist(app), 'issue-token', '--role', role, '--label', `local ${role}`];
    tokens[role] = execFileSync(process.execPath, args, {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    }).trim();
  }
  fs.writeFileSync(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  return tokens;
}

// Kafka runs with mutual TLS (docs/operations.md "Kafka security"): the operator's
// provisioning issues each principal a certificate here and grants its ACLs.
const topicPrefix = process.env.TOPIC_PREFIX || 'yipanqi';
const credentialsRoot = path.join(dataRoot, 'kafka-credentials');
const credentialsOf = (principal) => path.join(credentialsRoot, principal);
const operatorCredentials =
  process.env.KAFKA_OPERATOR_CREDENTIALS || path.join(repo, '.local', 'kafka-pki', 'operator');
const LOCAL_AUDITOR = 'local';

const coordinatorDir = path.join(dataRoot, 'coordinator');
const coordinatorEnv = {
  DATA_DIR: coordinatorDir,
  KAFKA_CREDENTIALS_DIR: credentialsOf(`${topicPrefix}.coordinator`),
};
const coordinatorUrl = `http://127.0.0.1:${network.coordinator.port}`;
const coordinatorTokens = tokensFor('coordinator', coordinatorEnv, coordinatorDir);
const cityEnv = (n) => ({
  NODE_CODE: n.code,
  NODE_NAME: n.name,
  DATA_DIR: path.join(dataRoot, n.code),
  KAFKA_CREDENTIALS_DIR: credentialsOf(`${topicPrefix}.node.${n.code}`),
});
for (const n of network.cityNodes) tokensFor('city-node', cityEnv(n), cityEnv(n).DATA_DIR);

const children = [];
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null);
  for (const child of running) child.kill('SIGTERM');
  // Nodes finish their Kafka consumers first (up to ~15 s); wait for them, then stop anyway.
  let left = running.length;
  const exit = () => process.exit(code);
  if (left === 0) exit();
  for (const child of running) child.once('exit', () => --left === 0 && exit());
  setTimeout(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    exit();
  }, 30000).unref();
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

function start(app) {
  const child = spawn(process.execPath, [app.script, ...(app.args ?? [])], {
    env: { ...process.env, ...app.env, ...(app.port && { HTTP_PORT: String(app.port) }) },
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

/** Waits until the provisioning has issued a principal's certificate. */
async function credentialsIssued(dir) {
  const deadline = Date.now() + 60000;
  while (!fs.existsSync(path.join(dir, 'cert.pem'))) {
    if (Date.now() > deadline) throw new Error(`no Kafka certificate in ${dir} after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
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

async function coordinatorApi(method, route) {
  const res = await fetch(`${coordinatorUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${coordinatorTokens.admin}` },
  });
  const body = await res.json();
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${route}: ${JSON.stringify(body)}`);
  return res.ok ? body : undefined;
}

/**
 * Lists a city in the directory unless it is there: its CLI registers it from
 * its own key files (creating them on first run), the admin approves. Returns
 * when the city's keys take effect.
 */
async function ensureListed(n) {
  let entry = await coordinatorApi('GET', `/nodes/${n.code}`);
  if (!entry) {
    // a run stopped between registering and approving left it pending: approve that one
    const pending = await coordinatorApi('GET', '/registrations?status=pending');
    const waiting = pending.find((r) => r.code === n.code);
    const registration = waiting ?? registerCity(n);
    entry = await coordinatorApi('POST', `/registrations/${registration.id}/approve`);
    console.log(`directory: ${n.code} ${n.name} registered (key ${registration.fingerprint})`);
  }
  return entry.keys[0].validFrom;
}

/** The city's own CLI asks the coordinator to list it, with the city's key files. */
function registerCity(n) {
  const register = spawnSync(
    process.execPath,
    [dist('city-node'), 'register', '--coordinator', coordinatorUrl],
    { env: { ...process.env, ...cityEnv(n) }, encoding: 'utf8' },
  );
  if (register.status !== 0) {
    throw new Error(`registering ${n.code} failed: ${register.stderr.trim()}`);
  }
  return JSON.parse(register.stdout);
}

const staffToken = (n) =>
  JSON.parse(fs.readFileSync(path.join(dataRoot, n.code, 'tokens.json'), 'utf8')).coordinator;

async function cityApi(n, method, route, body) {
  const res = await fetch(`http://127.0.0.1:${n.port}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${staffToken(n)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${n.code} ${method} ${route}: ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * The demo agreements of the network file (区域协作协议), set up the way staff
 * would: the inflow city drafts and proposes, the outflow city countersigns
 * the hash it read. Skipped when the pair already has an agreement.
 */
async function ensureAgreement({ inflow, outflow, scope }) {
  const [a, b] = [inflow, outflow].map((code) => network.cityNodes.find((n) => n.code === code));
  const existing = await cityApi(a, 'GET', '/agreements');
  if (existing.some((x) => x.partner === outflow && ['active', 'proposed'].includes(x.status))) {
    return;
  }
  const draft = await cityApi(a, 'POST', '/agreements', {
    partner: outflow,
    myRole: 'inflow',
    scope,
    termStart: '2026-01-01',
    termEnd: '2031-01-01',
  });
  await cityApi(a, 'POST', `/agreements/${draft.id}/propose`);
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const seen = await fetch(`http://127.0.0.1:${b.port}/agreements/${draft.id}`, {
      headers: { authorization: `Bearer ${staffToken(b)}` },
    });
    if (seen.ok) {
      const received = await seen.json();
      await cityApi(b, 'POST', `/agreements/${draft.id}/countersign`, { hash: received.hash });
      console.log(
        `agreement: ${a.name} ${inflow} (inflow) ⇄ ${b.name} ${outflow} (outflow) in force`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the proposal to ${outflow} did not arrive within 30 s`);
}

const cities = network.cityNodes.map((n) => ({
  label: `city-node ${n.code} ${n.name}`,
  script: dist('city-node'),
  port: n.port,
  env: cityEnv(n),
}));
const coordinator = {
  label: 'coordinator',
  script: dist('coordinator'),
  port: network.coordinator.port,
  env: coordinatorEnv,
};

const provisioning = {
  label: 'provision-kafka',
  script: dist('coordinator'),
  args: ['provision-kafka', '--follow', '--auditor', LOCAL_AUDITOR],
  env: {
    ...coordinatorEnv,
    KAFKA_OPERATOR_CREDENTIALS: operatorCredentials,
  },
};
provisioning.args.push('--credentials-root', credentialsRoot);

async function main() {
  // the operator's provisioning first: it makes the directory topic and the coordinator's certificate
  start(provisioning);
  await credentialsIssued(coordinatorEnv.KAFKA_CREDENTIALS_DIR);
  start(coordinator);
  await healthy(coordinator.port);
  const { signingKey } = await (await fetch(`${coordinatorUrl}/directory/coordinator-key`)).json();
  let inEffect = 0;
  for (const n of network.cityNodes) inEffect = Math.max(inEffect, await ensureListed(n));
  await new Promise((r) => setTimeout(r, Math.max(0, inEffect - Date.now())));
  for (const city of cities) {
    city.env.COORDINATOR_KEY = signingKey;
    await credentialsIssued(city.env.KAFKA_CREDENTIALS_DIR);
    start(city);
  }
  await Promise.all(cities.map((c) => healthy(c.port)));
  for (const agreement of network.agreements ?? []) await ensureAgreement(agreement);
  const agreements = await agreementsInForce();
  const broker = process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  console.log(
    `\nYipanqi local network is up: 1 coordinator, ${plural(cities.length, 'city node', 'city nodes')}, ` +
      `${plural(agreements, 'agreement', 'agreements')} in force, broker ${broker} (mutual TLS). ` +
      'Ctrl-C stops it.\n',
  );
  const rows = [
    ...[coordinator, ...cities].map((app) => [app.label, `http://127.0.0.1:${app.port}/health`]),
    [],
    ...cities.map((city) => [
      `dashboard ${city.label.replace(/^city-node /, '')}`,
      `http://127.0.0.1:${city.port}/dashboard`,
    ]),
    [],
    ['coordinator API docs', `${coordinatorUrl}/api/docs`],
    ['bearer tokens', path.join(dataRoot, '<code|coordinator>', 'tokens.json')],
    [],
    ['Kafka CA', path.join(path.dirname(operatorCredentials), 'ca.pem')],
    ['operator certificate', operatorCredentials],
    ["principals' certificates", path.join(credentialsRoot, '<principal>')],
    ['auditor certificate', credentialsOf(`${topicPrefix}.auditor.${LOCAL_AUDITOR}`)],
  ];
  printTable(rows);
  console.log('');
}

/**
 * Two columns, the first padded by display width: a Chinese character takes two
 * terminal cells, so padEnd (which counts UTF-16 units) would push the
 * city rows' second column out of line.
 */
function printTable(rows) {
  const width = Math.max(...rows.filter((r) => r.length).map(([label]) => stringWidth(label)));
  for (const [label, value] of rows) {
    console.log(
      label === undefined ? '' : `  ${label}${' '.repeat(width - stringWidth(label) + 2)}${value}`,
    );
  }
}

/** Agreements active at either side by now (the countersigner's copy is active at once). */
async function agreementsInForce() {
  const active = new Set();
  for (const n of network.cityNodes) {
    for (const a of await cityApi(n, 'GET', '/agreements'))
      if (a.status === 'active') active.add(a.id);
  }
  return active.size;
}

main().catch((err) => {
  console.error(err.message);
  stopAll(1);
});
