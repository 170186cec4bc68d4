import { Consumer, Producer } from 'kafkajs';
import {
  AgreementCountersignedPayloadV1,
  AgreementOfferPayloadV1,
  Envelope,
  inboxTopic,
  isValidDto,
  SCOPE_DOMAINS,
  ScopeDomain,
  UnsignedEnvelope,
} from '@yipanqi/contracts';
import { signAgreement } from '../../apps/city-node/src/agreements/agreement-rules';
import { agreementBecomes, api, draftAgreement } from './agreements';
import { eventually, TestNetwork, TestNode } from './city-nodes';
import { HandSender } from './hand-sender';
import { testKafka, uniqueName } from './kafka';

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
  /** writes one raw record into the node's inbox topic, under the hand's code unless told */
  produce(value: string | Buffer, key?: string | null): Promise<void>;
  /** writes raw records into the node's inbox topic in one request */
  produceAll(messages: { key: string | null; value: string | Buffer }[]): Promise<void>;
  /** the first envelope that arrived matching `check` */
  arrival(check: (e: Envelope) => boolean, what: string): Promise<Envelope>;
  stop(): Promise<void>;
}

export async function startHandPartner(
  net: TestNetwork,
  handCode: string,
  node: TestNode,
  scope: ScopeDomain[] = [...SCOPE_DOMAINS],
): Promise<HandPartner> {
  // the operator's client: the hand forges records a member's certificate could not send
  // (e.g. under another key); its own inbox is provisioned like every member's
  const kafka = testKafka(`hand-${handCode}`);
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
  const produceAll = async (messages: { key: string | null; value: string | Buffer }[]) => {
    await producer.send({ topic: inboxTopic(node.code, net.topicPrefix), messages });
  };
  const produce = (value: string | Buffer, key: string | null = handCode) =>
    produceAll([{ key, value }]);
  const sendEnvelope = async (envelope: Envelope) => {
    await produce(JSON.stringify(envelope));
    return envelope;
  };
  const arrival = async (check: (e: Envelope) => boolean, what: string) => {
    await eventually(() => received.some(check), 60000, what);
    return received.find(check) as Envelope;
  };

  // the node's staff propose an agreement; the hand countersigns it
  const drafted = await draftAgreement(node, handCode, { role: 'outflow', scope });
  await api(node, 'POST', `/agreements/${drafted.id}/propose`);
  const proposal = await arrival((e) => e.type === 'agreement.proposed', 'the proposal');
  const offer = proposal.payload;
  if (!isValidDto(AgreementOfferPayloadV1, offer)) throw new Error('the proposal is malformed');
  const { agreementId } = offer.terms;
  sender.agreementId = agreementId;
  const countersignature: AgreementCountersignedPayloadV1 = {
    agreementId,
    version: 1,
    hash: offer.hash,
    signature: signAgreement(agreementId, 1, offer.hash, net.keys[handCode].signing.privateKey),
  };
  await sendEnvelope(
    sender.advance(sender.sign(sender.draft('agreement.countersigned', { ...countersignature }))),
  );
  await agreementBecomes(node, agreementId, (a) => a.status === 'active', 'the hand agreement');

  return {
    sender,
    received,
    agreementId,
    send: (type, payload, over = {}) =>
      sendEnvelope(sender.advance(sender.sign(sender.draft(type, payload, over)))),
    produce,
    produceAll,
    arrival,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
