/**
 * Readiness follows the broker (issue 12): on a broker of its own, a city
 * node's and the coordinator's /health/ready go down within 10 s of the
 * broker going away and come back once it serves again; liveness stays up.
 */
import { join, resolve } from 'node:path';
import request from 'supertest';
import { eventually, startTestNetwork, TestNetwork } from '../support/city-nodes';
import { FaultCluster } from '../support/fault-cluster';

const HUIZHOU = '441300';
const YIBIN = '511500';

const broker = new FaultCluster({
  port: 9292,
  controllerPort: 10292,
  dataDir: join(resolve(__dirname, '../..'), '.local/kafka-health'),
  nodes: 1,
});

describe('readiness when the broker goes away and comes back', () => {
  const previousBrokers = process.env.KAFKA_BROKERS;
  let net: TestNetwork | undefined;

  beforeAll(async () => {
    process.env.KAFKA_BROKERS = broker.brokers.join(',');
    await broker.up();
  }, 180000);

  afterAll(async () => {
    try {
      await net?.stop();
    } finally {
      await broker.reset();
      if (previousBrokers === undefined) delete process.env.KAFKA_BROKERS;
      else process.env.KAFKA_BROKERS = previousBrokers;
    }
  }, 120000);

  it('is down within 10 s of the broker stopping, and ready again after it returns', async () => {
    net = await startTestNetwork([HUIZHOU], [HUIZHOU, YIBIN]);
    const node = net.nodes[HUIZHOU];
    const coordinator = net.coordinator;
    const ready = async (url: string) => (await request(url).get('/health/ready')).status;
    await eventually(async () => (await ready(node.url)) === 200, 60000, 'the node ready');
    const body = (await request(node.url).get('/health/ready').expect(200)).body as {
      checks: Record<string, { status: string; brokers?: number }>;
    };
    expect(body.checks).toMatchObject({
      database: { status: 'up' },
      kafka: { status: 'up', brokers: 1 },
      directory: { status: 'up' },
      inbox: { status: 'up' },
    });
    expect(await ready(coordinator.url)).toBe(200);

    await broker.killAll();
    const stoppedAt = Date.now();
    await eventually(async () => (await ready(node.url)) === 503, 10000, 'the node not ready');
    const downAfter = Date.now() - stoppedAt;
    const down = (await request(node.url).get('/health/ready')).body as {
      code: string;
      checks: Record<string, { status: string }>;
    };
    expect(down.code).toBe('NOT_READY');
    expect(down.checks.kafka.status).toBe('down');
    expect(down.checks.database.status).toBe('up');
    await eventually(
      async () => (await ready(coordinator.url)) === 503,
      10000,
      'the coordinator not ready',
    );
    // liveness is about the process, not its dependencies
    await request(node.url).get('/health/live').expect(200);
    await request(coordinator.url).get('/health/live').expect(200);

    await broker.up();
    const upAt = Date.now();
    await eventually(async () => (await ready(node.url)) === 200, 90000, 'the node ready again');
    await eventually(
      async () => (await ready(coordinator.url)) === 200,
      30000,
      'the coordinator ready again',
    );
    console.log(
      `readiness: down ${downAfter} ms after the broker was killed, ready ${Date.now() - upAt} ms after it served again`,
    );
  });
});
