import { Consumer, Producer } from 'kafkajs';
import {
  AgreementCountersignedPayloadV1,
  AgreementOfferPayloadV1,
  Envelope,
  inboxTopic,
  ScopeDomain,
  UnsignedEnvelope,
} from '@yipanqi/contracts';
import { inboxTopicConfig } from '@yipanqi/exchange';
import { signAgreement } from '../../apps/city-node/src/agreements/agreement-rules';
import { agreementBecomes, api, AgreementView, ReachableNode } from './agreements';
import { eventually, TestNetwork, TestNode } from './city-nodes';
import { HandSender } from './hand-sender';
import { testKafka, uniqueName } from './kafka';

/** A task as GET /tasks/:id shows it. */
export interface TaskView {
  id: string;
  box: 'inbox' | 'outbox';
  partner: string;
  requester: string;
  performer: string;
  agreementId: string;
  kind: string;
  domain: string;
  dueAt: string;
  state: string;
  overdue: boolean;
  subject?: { idNumber: string; name: string };
  instructions?: string;
  history: {
    messageId: string;
    action: string;
    by: string;
    direction: 'sent' | 'received';
    at: string;
    clock: 'node' | 'broker';
    code?: string;
    staff?: string;
    delivery?: 'pending' | 'receipted' | 'rejected';
    void?: string;
    note?: string;
    detail?: string;
    report?: string;
  }[];
}

/** Polls a node until its view of a task satisfies `check` (the task may not have arrived yet). */
export async function taskBecomes(
  node: ReachableNode,
  id: string,
  check: (t: TaskView) => boolean,
  what: string,
  timeoutMs = 60000,
): Promise<TaskView> {
  let last: TaskView | undefined;
  await eventually(
    async () => {
      const res = await api<TaskView>(node, 'GET', `/tasks/${id}`);
      last = res.status === 200 ? res.body : undefined;
      return last !== undefined && check(last);
    },
    timeoutMs,
    `${what} (last state: ${String(last?.state)})`,
  );
  return last as TaskView;
}

/**
 * Drafts an agreement with any terms the API takes (e.g. custom SLAs), proposes
 * it and has the partner countersign: both hold it active. Returns its id.
 */
export async function establishAgreementWithTerms(
  proposer: ReachableNode,
  partner: ReachableNode,
  draft: Record<string, unknown>,
): Promise<string> {
  const drafted = await api<AgreementView>(proposer, 'POST', '/agreements', draft);
  if (drafted.status !== 201) throw new Error(`draft → ${JSON.stringify(drafted.body)}`);
  const { id } = drafted.body;
  await api(proposer, 'POST', `/agreements/${id}/propose`);
  const received = await agreementBecomes(partner, id, (a) => a.status === 'received', 'proposal');
  await api(partner, 'POST', `/agreements/${id}/countersign`, { hash: received.hash });
  await agreementBecomes(proposer, id, (a) => a.status === 'active', 'countersignature');
  return id;
}

/**
 * A directory member driven by the test: it reads its own inbox topic, and
 * holds an active agreement with a real node (the node proposes, the hand
 * countersigns), so that hand-made flow messages reach the node's handlers.
 */
export interface HandPartner {
  sender: HandSender;
  /** every envelope the real node sent it so far */
  received: Envelope[];
  agreementId: string;
  /** signs, advances the stream and produces one hand-made envelope */
  send(
    type: string,
    payload: Record<string, unknown>,
    over?: Partial<UnsignedEnvelope>,
  ): Promise<Envelope>;
  /** the first envelope that arrived matching `check` */
  arrival(check: (e: Envelope) => boolean, what: string): Promise<Envelope>;
  stop(): Promise<void>;
}

export async function startHandPartner(
  net: TestNetwork,
  handCode: string,
  node: TestNode,
  scope: ScopeDomain[],
): Promise<HandPartner> {
  const kafka = testKafka(`hand-${handCode}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [inboxTopicConfig(handCode, net.topicPrefix)],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const received: Envelope[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName(`hand-${handCode}`) });
  await consumer.connect();
  await consumer.subscribe({ topic: inboxTopic(handCode, net.topicPrefix), fromBeginning: true });
  await consumer.run({
    // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
    eachMessage: async ({ message }) => {
      received.push(JSON.parse(String(message.value)) as Envelope);
    },
  });
  const sender = new HandSender(handCode, node.code, net.keys[handCode]);
  const produce = async (envelope: Envelope) => {
    await producer.send({
      topic: inboxTopic(node.code, net.topicPrefix),
      messages: [{ key: handCode, value: JSON.stringify(envelope) }],
    });
    return envelope;
  };
  const arrival = async (check: (e: Envelope) => boolean, what: string) => {
    await eventually(() => received.some(check), 60000, what);
    return received.find(check) as Envelope;
  };

  const drafted = await api<AgreementView>(node, 'POST', '/agreements', {
    partner: handCode,
    myRole: 'outflow',
    scope,
    termStart: '2026-01-01',
    termEnd: '2036-01-01',
  });
  await api(node, 'POST', `/agreements/${drafted.body.id}/propose`);
  const proposal = await arrival((e) => e.type === 'agreement.proposed', 'the proposal');
  const offer = proposal.payload as unknown as AgreementOfferPayloadV1;
  const { agreementId } = offer.terms;
  sender.agreementId = agreementId;
  const countersignature: AgreementCountersignedPayloadV1 = {
    agreementId,
    version: 1,
    hash: offer.hash,
    signature: signAgreement(agreementId, 1, offer.hash, net.keys[handCode].signing.privateKey),
  };
  await produce(
    sender.advance(sender.sign(sender.draft('agreement.countersigned', { ...countersignature }))),
  );
  await agreementBecomes(node, agreementId, (a) => a.status === 'active', 'the hand agreement');

  return {
    sender,
    received,
    agreementId,
    send: (type, payload, over = {}) =>
      produce(sender.advance(sender.sign(sender.draft(type, payload, over)))),
    arrival,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
