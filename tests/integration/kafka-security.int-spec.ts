/**
 * The broker enforces the access model (DESIGN §5, docs/operations.md "Kafka
 * security"): each denial is tried against the real broker with a real
 * principal's certificate, next to what the same principal may do, so that a
 * denial is the authorizer's and not a broken connection.
 */
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Consumer,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { deadLetterTopic, directoryTopic, inboxTopic, sentJournalTopic } from '@yipanqi/contracts';
import {
  auditorPrincipal,
  coordinatorPrincipal,
  KafkaConnection,
  kafkaClient,
  kafkaSettingsFromEnv,
  nodePrincipal,
} from '@yipanqi/kafka-access';
import { eventually, startTestNetwork, TEST_AUDITOR, TestNetwork } from '../support/city-nodes';
import { operatorConnection, uniqueName } from '../support/kafka';
import { provisionKafka } from '../../apps/coordinator/src/provisioning/provision-kafka.command';

const HUIZHOU = '441300';
const YIBIN = '511500';

/**
 * Errors kafkajs met on the way, from its debug log: some answers (e.g.
 * FindCoordinator's GROUP_AUTHORIZATION_FAILED) reach the caller only as
 * "Failed to find group coordinator".
 */
const logged: string[] = [];

/** A client that gives up at once: every denial here is final, not worth retrying. */
function client(connection: KafkaConnection, id: string): Kafka {
  return kafkaClient(connection, id, {
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 1, initialRetryTime: 100 },
    logLevel: logLevel.DEBUG,
    logCreator:
      () =>
      ({ log }) => {
        const { error } = log as { error?: unknown };
        if (error === undefined) return;
        const text =
          error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
        logged.push(`${id}: ${text}`);
      },
  });
}

/** what the client `id` logged since the test began */
const loggedBy = (id: string) => logged.filter((l) => l.startsWith(`${id}: `)).join('\n');

interface NestedError {
  type?: string;
  message?: string;
  cause?: NestedError;
  errors?: NestedError[];
}

/** Every protocol error type and message in a kafkajs error (they nest causes and lists). */
function describeError(err: NestedError | undefined): string {
  if (!err) return '';
  return [err.type, err.message, describeError(err.cause), ...(err.errors ?? []).map(describeError)]
    .filter(Boolean)
    .join(' ');
}

/** The error a promise ends in (fails the test if it succeeds). */
async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    return describeError(err as NestedError);
  }
  throw new Error('expected the broker to refuse');
}

const NOT_AUTHORIZED = /AUTHORIZATION_FAILED|not authorized/i;

/** Runs a consumer until it crashes; resolves with the crash's error text. */
async function crashOf(consumer: Consumer, topic: string): Promise<string> {
  let crashed: string | undefined;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = describeError(payload.error as NestedError);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: () => Promise.resolve() });
  } catch (err) {
    crashed = describeError(err as NestedError);
  }
  await eventually(() => crashed !== undefined, 30000, 'the consumer to be refused');
  await consumer.disconnect().catch(() => undefined);
  return crashed as string;
}

describe('Kafka security on the real broker', () => {
  let net: TestNetwork;
  let huizhou: KafkaConnection;
  let yibin: KafkaConnection;

  beforeAll(async () => {
    // no node runs: the principals act by hand with their own certificates
    net = await startTestNetwork([], [HUIZHOU, YIBIN]);
    huizhou = net.coordinator.connectionAs(nodePrincipal(HUIZHOU, net.topicPrefix));
    yibin = net.coordinator.connectionAs(nodePrincipal(YIBIN, net.topicPrefix));
  });
  afterAll(() => net.stop());

  const inbox = (code: string) => inboxTopic(code, net.topicPrefix);

  it("lets a node write to a partner's inbox, and read its own inbox only", async () => {
    const producer = client(huizhou, 'sec-write').producer();
    await producer.connect();
    await producer.send({ topic: inbox(YIBIN), messages: [{ key: HUIZHOU, value: 'hello' }] });
    await producer.disconnect();

    // Yibin reads what arrived, in its own group
    const reader = client(yibin, 'sec-read-own').consumer({
      groupId: `${net.topicPrefix}.node.${YIBIN}`,
    });
    const values: string[] = [];
    await reader.connect();
    await reader.subscribe({ topic: inbox(YIBIN), fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => Promise.resolve(void values.push(String(message.value))),
    });
    await eventually(() => values.includes('hello'), 30000, 'Yibin reading its own inbox');
    await reader.disconnect();

    // Huizhou may not read Yibin's inbox, even in its own group
    const snoop = client(huizhou, 'sec-snoop').consumer({
      groupId: `${net.topicPrefix}.node.${HUIZHOU}`,
    });
    expect(await crashOf(snoop, inbox(YIBIN))).toMatch(NOT_AUTHORIZED);
  });

  it("refuses a node another node's consumer group: joining it and committing in it", async () => {
    // its own group, the same way: joined
    const own = client(huizhou, 'sec-join-own').consumer({
      groupId: `${net.topicPrefix}.node.${HUIZHOU}`,
    });
    let joined = false;
    own.on(own.events.GROUP_JOIN, () => (joined = true));
    await own.connect();
    await own.subscribe({ topic: inbox(HUIZHOU), fromBeginning: true });
    await own.run({ eachMessage: () => Promise.resolve() });
    await eventually(() => joined, 30000, 'Huizhou joining its own group');
    await own.disconnect();

    const squatter = client(huizhou, 'sec-join').consumer({
      groupId: `${net.topicPrefix}.node.${YIBIN}`,
    });
    const crash = await crashOf(squatter, inbox(HUIZHOU));
    // kafkajs reports the refused FindCoordinator as a coordinator not found; the broker said why
    expect(`${crash}\n${loggedBy('sec-join')}`).toMatch(
      /Group authorization failed|GROUP_AUTHORIZATION_FAILED/i,
    );

    const admin = client(huizhou, 'sec-commit').admin();
    await admin.connect();
    try {
      const refused = await failure(
        admin.setOffsets({
          groupId: `${net.topicPrefix}.node.${YIBIN}`,
          topic: inbox(YIBIN),
          partitions: [{ partition: 0, offset: '0' }],
        }),
      );
      expect(`${refused}\n${loggedBy('sec-commit')}`).toMatch(
        /Group authorization failed|GROUP_AUTHORIZATION_FAILED/i,
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a node writes to the directory, and topic and ACL changes', async () => {
    const kafka = client(huizhou, 'sec-admin');
    const producer = kafka.producer();
    await producer.connect();
    expect(
      await failure(
        producer.send({
          topic: directoryTopic(net.topicPrefix),
          messages: [{ key: HUIZHOU, value: '{}' }],
        }),
      ),
    ).toMatch(NOT_AUTHORIZED);
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await failure(
          admin.createTopics({ topics: [{ topic: `${net.topicPrefix}.inbox.110000` }] }),
        ),
      ).toMatch(NOT_AUTHORIZED);
      expect(await failure(admin.deleteTopics({ topics: [inbox(HUIZHOU)] }))).toMatch(
        NOT_AUTHORIZED,
      );
      expect(
        await failure(
          admin.alterConfigs({
            validateOnly: false,
            resources: [
              {
                type: 2, // TOPIC
                name: inbox(HUIZHOU),
                configEntries: [{ name: 'retention.ms', value: '1000' }],
              },
            ],
          }),
        ),
      ).toMatch(NOT_AUTHORIZED);
      expect(
        await failure(
          admin.createPartitions({ topicPartitions: [{ topic: inbox(HUIZHOU), count: 6 }] }),
        ),
      ).toMatch(NOT_AUTHORIZED);
      // nor grant itself what the model does not: read Yibin's inbox
      expect(
        await failure(
          admin.createAcls({
            acl: [
              {
                resourceType: AclResourceTypes.TOPIC,
                resourceName: inbox(YIBIN),
                resourcePatternType: ResourcePatternTypes.LITERAL,
                principal: `User:${nodePrincipal(HUIZHOU, net.topicPrefix)}`,
                host: '*',
                operation: AclOperationTypes.READ,
                permissionType: AclPermissionTypes.ALLOW,
              },
            ],
          }),
        ),
      ).toMatch(NOT_AUTHORIZED);
    } finally {
      await admin.disconnect();
    }
    // and the topics are as the operator made them
    const operator = client(operatorConnection(), 'sec-operator').admin();
    await operator.connect();
    try {
      expect(await operator.listTopics()).toEqual(expect.arrayContaining([inbox(HUIZHOU)]));
      const described = await operator.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: inbox(HUIZHOU), configNames: ['retention.ms'] }],
      });
      expect(described.resources[0].configEntries[0].configValue).toBe('-1');
    } finally {
      await operator.disconnect();
    }
  });

  it('lets the auditor read every inbox and the directory but write nothing', async () => {
    const auditor = net.coordinator.connectionAs(auditorPrincipal(TEST_AUDITOR, net.topicPrefix));
    const admin = client(auditor, 'sec-auditor').admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(inbox(YIBIN));
      expect(offsets.length).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
    const producer = client(auditor, 'sec-auditor-write').producer();
    await producer.connect();
    for (const topic of [
      inbox(YIBIN),
      directoryTopic(net.topicPrefix),
      deadLetterTopic(YIBIN, net.topicPrefix),
    ]) {
      expect(await failure(producer.send({ topic, messages: [{ value: 'x' }] }))).toMatch(
        NOT_AUTHORIZED,
      );
    }
    await producer.disconnect();
    // the coordinator writes the directory (it does in every test); not the inboxes
    const coordinator = net.coordinator.connectionAs(coordinatorPrincipal(net.topicPrefix));
    const coordinatorProducer = client(coordinator, 'sec-coordinator').producer();
    await coordinatorProducer.connect();
    expect(
      await failure(coordinatorProducer.send({ topic: inbox(YIBIN), messages: [{ value: 'x' }] })),
    ).toMatch(NOT_AUTHORIZED);
    await coordinatorProducer.disconnect();
  });

  it("refuses a suspended node's writes within seconds, and takes them again once reinstated", async () => {
    const producer = client(huizhou, 'sec-suspended').producer();
    await producer.connect();
    const write = () =>
      producer.send({ topic: inbox(YIBIN), messages: [{ key: HUIZHOU, value: 'while listed' }] });
    await write();

    const suspendedAt = Date.now();
    await net.coordinator.directory.suspend(HUIZHOU);
    let refusal = '';
    await eventually(
      async () => {
        try {
          await write();
          return false;
        } catch (err) {
          refusal = (err as Error).message;
          return true;
        }
      },
      10000,
      "the broker to refuse the suspended node's writes",
    );
    expect(refusal).toMatch(NOT_AUTHORIZED);
    expect(Date.now() - suspendedAt).toBeLessThan(10000);

    await net.coordinator.directory.reinstate(HUIZHOU);
    await eventually(
      async () => {
        try {
          await write();
          return true;
        } catch {
          return false;
        }
      },
      10000,
      'the broker to take the reinstated node’s writes again',
    );
    await producer.disconnect();
  });

  it('keeps the Strimzi KafkaUser file of a following provisioning current: a suspension is in it within seconds', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'yipanqi-kafka-users-')), 'kafka-users.yaml');
    const provisioner = await provisionKafka(
      {
        operator: operatorConnection().credentials?.dir as string,
        follow: true,
        auditors: [TEST_AUDITOR],
        coordinatorKey: net.coordinator.publicKey,
        topicsOnly: true,
        kafkaUsersFile: { file, cluster: 'test-cluster' },
      },
      {
        TOPIC_PREFIX: net.topicPrefix,
        KAFKA_BROKERS: kafkaSettingsFromEnv().brokers.join(','),
        DATA_DIR: dirname(file),
      },
      () => undefined,
    );
    // what Yibin may write, as the file says it
    const yibinWrites = () => {
      let users: {
        metadata: { name: string };
        spec: { authorization: { acls: { resource: { name: string }; operations: string[] }[] } };
      }[] = [];
      try {
        users = parseAllDocuments(readFileSync(file, 'utf8')).map(
          (d) => d.toJS() as (typeof users)[number],
        );
      } catch {
        return undefined;
      }
      const user = users.find((u) => u.metadata.name === nodePrincipal(YIBIN, net.topicPrefix));
      return user?.spec.authorization.acls
        .filter((a) => a.operations.includes('Write'))
        .map((a) => a.resource.name)
        .sort();
    };
    try {
      await eventually(() => yibinWrites() !== undefined, 30000, 'the KafkaUser file');
      expect(yibinWrites()).toEqual(
        [
          deadLetterTopic(YIBIN, net.topicPrefix),
          `${net.topicPrefix}.inbox.`,
          sentJournalTopic(YIBIN, net.topicPrefix),
        ].sort(),
      );
      const suspendedAt = Date.now();
      await net.coordinator.directory.suspend(YIBIN);
      await eventually(
        () => yibinWrites()?.includes(`${net.topicPrefix}.inbox.`) === false,
        10000,
        "Yibin's inbox writes gone from the file",
      );
      expect(Date.now() - suspendedAt).toBeLessThan(10000);
      await net.coordinator.directory.reinstate(YIBIN);
      await eventually(
        () => yibinWrites()?.includes(`${net.topicPrefix}.inbox.`) === true,
        10000,
        "Yibin's inbox writes back in the file",
      );
    } finally {
      await provisioner?.stop();
    }
  });

  it('refuses a client without a certificate and a PLAINTEXT connection', async () => {
    const { brokers } = kafkaSettingsFromEnv();
    const ca = operatorConnection().credentials?.ca as string;
    const anonymous = new Kafka({
      clientId: uniqueName('sec-anonymous'),
      brokers,
      ssl: { ca: [ca] },
      connectionTimeout: 3000,
      retry: { retries: 0 },
      logLevel: 0,
    }).admin();
    expect(await failure(anonymous.connect().then(() => anonymous.listTopics()))).toMatch(
      /certificate|handshake|socket|closed|ECONNRESET|Connection/i,
    );
    await anonymous.disconnect().catch(() => undefined);

    const plaintext = client({ brokers, credentials: undefined }, uniqueName('sec-plaintext'));
    const plain = plaintext.admin();
    expect(await failure(plain.connect().then(() => plain.listTopics()))).toMatch(
      /closed|timeout|timed out|ECONNRESET|Connection|disconnected/i,
    );
    await plain.disconnect().catch(() => undefined);
  });
});
