// Asks a Kafka cluster whether it serves requests: a metadata round trip that
// lists every expected broker. Prints a one-line summary; exit 1 when not ready.
// Plain JavaScript so it runs before anything is built.
const { Kafka, logLevel } = require('kafkajs');
const path = require('node:path');
const fs = require('node:fs');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const brokers = arg('brokers', '127.0.0.1:9092').split(',');
  const expected = Number(arg('expect', '1'));
  const timeout = Number(arg('timeout', '5000'));
  // the operator's certificate (mutual TLS); the probe may ask for the cluster's metadata
  // without it: a PLAINTEXT broker (KAFKA_TLS=off, the benchmark's comparison only)
  const credentials = arg('credentials', undefined);
  const read = (name) => fs.readFileSync(path.join(credentials, name), 'utf8');
  const kafka = new Kafka({
    clientId: 'yipanqi-probe',
    brokers,
    ssl: credentials && { ca: [read('ca.pem')], cert: read('cert.pem'), key: read('key.pem') },
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeout, 3000),
    requestTimeout: timeout,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const timer = setTimeout(() => {
    console.error('no answer in time');
    process.exit(1);
  }, timeout);
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length < expected) {
      throw new Error(`${cluster.brokers.length}/${expected} brokers registered`);
    }
    const jar = fs
      .readdirSync(path.join(__dirname, 'lib'))
      .find((f) => /^kafka_2\.13-.*\.jar$/.test(f));
    const version = jar ? jar.replace(/^kafka_2\.13-|\.jar$/g, '') : 'unknown version';
    console.log(
      `Kafka ${version}, ${cluster.brokers.length} broker(s) at ${brokers.join(',')}, cluster ${cluster.clusterId}, controller ${cluster.controller}`,
    );
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
