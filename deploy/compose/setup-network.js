// The compose network's one-off setup, as deploy/local/network.js does it for
// `npm run local`: a coordinator admin token (once, kept in the shared volume),
// then each city registers with its own keys and the admin approves it; waits
// until the provisioning has issued each city's Kafka certificate, and writes
// the coordinator's public key where the city nodes read it (COORDINATOR_KEY_FILE).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const env = process.env;
const coordinatorUrl = env.COORDINATOR_URL;
const shared = env.SHARED_DIR;
const cities = env.CITIES.split(',').map((c) => {
  const [code, name] = c.split(':');
  return { code, name };
});
const main = (app) => path.join('dist/apps', app, 'apps', app, 'src/main.js');
const prefix = env.TOPIC_PREFIX || 'yipanqi';

function adminToken() {
  const file = path.join(shared, 'coordinator-admin.token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = execFileSync(
    process.execPath,
    [main('coordinator'), 'issue-token', '--role', 'admin', '--label', 'compose setup'],
    {
      env: {
        ...env,
        DATA_DIR: env.COORDINATOR_DATA_DIR,
        DATABASE_URL: env.COORDINATOR_DATABASE_URL,
      },
      encoding: 'utf8',
    },
  ).trim();
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

async function api(token, method, route) {
  const res = await fetch(`${coordinatorUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await res.json();
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${route}: ${JSON.stringify(body)}`);
  return res.ok ? body : undefined;
}

async function until(check, what) {
  const deadline = Date.now() + 120000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`setup: ${what} not within 120 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function run() {
  const token = adminToken();
  for (const city of cities) {
    if (!(await api(token, 'GET', `/nodes/${city.code}`))) {
      const pending = await api(token, 'GET', '/registrations?status=pending');
      let registration = pending.find((r) => r.code === city.code);
      if (!registration) {
        const out = execFileSync(
          process.execPath,
          [main('city-node'), 'register', '--coordinator', coordinatorUrl],
          {
            env: {
              ...env,
              NODE_CODE: city.code,
              NODE_NAME: city.name,
              DATA_DIR: path.join(env.CITY_DATA_ROOT, city.code),
            },
            encoding: 'utf8',
          },
        );
        registration = JSON.parse(out);
      }
      await api(token, 'POST', `/registrations/${registration.id}/approve`);
      console.log(`setup: ${city.code} ${city.name} listed`);
    }
    const cert = path.join(env.CREDENTIALS_ROOT, `${prefix}.node.${city.code}`, 'cert.pem');
    await until(() => fs.existsSync(cert), `the Kafka certificate of ${city.code}`);
  }
  const { signingKey } = await (await fetch(`${coordinatorUrl}/directory/coordinator-key`)).json();
  fs.writeFileSync(path.join(shared, 'coordinator.key'), signingKey + '\n');
  console.log('setup: the network is listed and provisioned');
}

run().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
