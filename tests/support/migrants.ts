import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { Envelope, inboxTopic } from '@yipanqi/contracts';
import {
  envelopeHash,
  InboxMessage,
  OutboxMessage,
  signEnvelope,
  StreamState,
} from '@yipanqi/exchange';
import type { Role } from '@yipanqi/http-api';
import { Migrant } from '../../apps/city-node/src/migrants/migrant.entity';
import { PersonalDataAccess } from '../../apps/city-node/src/access-log/access-log.entity';
import { eventually, TestNetwork, TestNode } from './city-nodes';
import { testKafka } from './kafka';
import { SyntheticPerson } from './synthetic-people';

export interface CallOptions {
  role?: Role | null;
  /** X-Access-Purpose, percent-encoded as the API expects */
  purpose?: string;
  body?: unknown;
  /** sent as is, with content-type JSON (malformed JSON tests) */
  rawBody?: string;
}

/**
 * A request to a node's API with the headers the migrant routes use. Each
 * request has a connection of its own (supertest): the nodes run in the test
 * process, and a kept-alive socket that the server closes while the event
 * loop is busy would fail the next request with ECONNRESET.
 */
export async function call<T = Record<string, unknown>>(
  node: TestNode,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; body: T }> {
  const role = options.role === undefined ? 'coordinator' : options.role;
  const req = request(node.url)[method === 'GET' ? 'get' : method === 'POST' ? 'post' : 'patch'](
    path,
  );
  if (role) req.set('Authorization', `Bearer ${node.tokens[role]}`);
  if (options.purpose) req.set('X-Access-Purpose', encodeURIComponent(options.purpose));
  if (options.rawBody !== undefined) {
    req.set('Content-Type', 'application/json').send(options.rawBody);
  } else if (options.body !== undefined) req.send(options.body as object);
  const res = await req;
  const text = res.text;
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The arrival body for a synthetic person. */
export function arrivalOf(person: SyntheticPerson, over: Record<string, unknown> = {}) {
  return {
    idNumber: person.idNumber,
    name: person.name,
    phone: person.phone,
    address: person.address,
    arrivedOn: '2026-01-15',
    maritalStatus: 'married',
    ...over,
  };
}

/** What a node holds of the migrant flow: records, messages either way, access-log rows. */
export async function migrantState(node: TestNode) {
  const migrantMessages = (rows: { type: string }[]) =>
    rows.filter((r) => r.type.startsWith('migrant.')).length;
  return {
    records: await node.db.getRepository(Migrant).count(),
    recordsUpdatedAt: (await node.db.getRepository(Migrant).find())
      .map((m) => `${m.id}:${m.status}:${m.updatedAt}`)
      .sort(),
    sent: migrantMessages(
      await node.db.getRepository(OutboxMessage).find({ select: { type: true } }),
    ),
    received: migrantMessages(
      await node.db.getRepository(InboxMessage).find({ select: { type: true } }),
    ),
    accessLog: await node.db.getRepository(PersonalDataAccess).count(),
  };
}

/** Waits until every migrant message the node sent has its receipt or rejection. */
export async function settled(node: TestNode): Promise<void> {
  await eventually(
    async () => {
      const open = await node.db
        .getRepository(OutboxMessage)
        .createQueryBuilder('o')
        .where("o.type LIKE 'migrant.%'")
        .andWhere('o.answer IS NULL')
        .getCount();
      return open === 0;
    },
    60000,
    `${node.code}'s migrant messages answered`,
  );
}

/**
 * Sends a correctly signed and sequenced envelope as `from`'s next message to
 * `to`, past the node's own checks (a receive-side test). The node's outbox
 * must have nothing pending for `to` meanwhile: call `settled` first.
 */
export async function sendPastTheApi(
  net: TestNetwork,
  from: TestNode,
  to: string,
  fields: Pick<Envelope, 'type' | 'agreementId' | 'correlationId' | 'payload'>,
): Promise<Envelope> {
  const stream = await from.db
    .getRepository(StreamState)
    .findOneByOrFail({ peer: to, direction: 'out' });
  const envelope = signEnvelope(
    {
      id: uuidv7(),
      v: 1,
      from: from.code,
      to,
      causationId: null,
      seq: stream.lastSeq + 1,
      prevHash: stream.lastHash,
      occurredAt: new Date().toISOString(),
      ...fields,
    },
    net.keys[from.code].signing.privateKey,
  );
  await from.db
    .getRepository(StreamState)
    .update(
      { peer: to, direction: 'out' },
      { lastSeq: envelope.seq, lastHash: envelopeHash(envelope) },
    );
  const producer = testKafka('migrants-test').producer();
  await producer.connect();
  await producer.send({
    topic: inboxTopic(to, net.topicPrefix),
    messages: [{ key: from.code, value: JSON.stringify(envelope) }],
  });
  await producer.disconnect();
  return envelope;
}
