import { v7 as uuidv7 } from 'uuid';
import {
  Envelope,
  hasValidPayload,
  payloadSchema,
  residentIdCheckChar,
  UnsignedEnvelope,
  validateDto,
} from '@yipanqi/contracts';
import { encryptPii, NodeKeys } from '@yipanqi/crypto';
import { assertPayloadSize, envelopeHash, signEnvelope } from '@yipanqi/exchange';

/**
 * Real-size envelopes of the main message types, made the way the city node
 * makes them: pii checked by its DTO and encrypted to the recipient
 * (encryptPii), readable payload checked by the receiver's schema
 * (hasValidPayload), size limit (assertPayloadSize), numbered, chained and
 * signed (signEnvelope). Only their sizes are used.
 */

export const INFLOW = '441300';
export const OUTFLOW = '511500';

function residentId(n: number): string {
  // 广东惠州 area code, a 1990s birth date, a sequence: realistic shape, valid check character
  const first17 = `441302199${n % 10}0${(n % 9) + 1}1${n % 10}${String(n % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/** One person as a campaign import collects them (name, id, phone, address). */
function person(n: number) {
  return {
    idNumber: residentId(n),
    name: '张晓梅',
    phone: `139${String(10000000 + n).slice(-8)}`,
    address: '广东省惠州市惠城区江北街道文昌一路某小区12栋1203房',
  };
}

function arrivalSecret(n: number) {
  return {
    person: person(n),
    maritalStatus: 'married' as const,
    residencePermitNumber: `4413020${String(n).padStart(11, '0')}`,
    children: 1,
  };
}

function arrivalReadable() {
  return {
    recordId: uuidv7(),
    arrivedOn: '2026-03-14',
    householdDivision: '511502',
    campaignId: 'qingli-2026-spring',
  };
}

function checkPii(type: string, v: number, pii: unknown): void {
  const schema = payloadSchema(type, v);
  if (!schema?.pii) return;
  const problems = validateDto(schema.pii, pii);
  if (problems.length > 0) throw new Error(`${type} pii invalid: ${problems.join('; ')}`);
}

export interface Stream {
  seq: number;
  prevHash: string | null;
}

/** Numbers, chains and signs like the outbox; refuses what the receiver's schema would. */
export function seal(
  sender: NodeKeys,
  stream: Stream,
  fields: Pick<UnsignedEnvelope, 'type' | 'from' | 'to' | 'payload'> &
    Partial<Pick<UnsignedEnvelope, 'v' | 'correlationId' | 'causationId' | 'agreementId'>>,
  occurredAt = new Date().toISOString(),
): Envelope {
  assertPayloadSize(fields.payload);
  stream.seq++;
  const envelope = signEnvelope(
    {
      id: uuidv7(),
      v: 1,
      agreementId: uuidv7(),
      correlationId: null,
      causationId: null,
      prevHash: stream.prevHash,
      occurredAt,
      ...fields,
      seq: stream.seq,
    },
    sender.signing.privateKey,
  );
  const problems: string[] = [];
  if (!hasValidPayload(envelope, problems)) {
    throw new Error(`${envelope.type} payload invalid: ${problems.join('; ')}`);
  }
  stream.prevHash = envelopeHash(envelope);
  return envelope;
}

export interface SampleEnvelope {
  type: string;
  /** what the sample stands for, for the report */
  form: string;
  envelope: Envelope;
  bytes: number;
  /** person records it carries */
  records: number;
}

export async function sampleEnvelopes(
  inflow: NodeKeys,
  outflow: NodeKeys,
): Promise<SampleEnvelope[]> {
  // mid-stream: seq > 1 carries a prevHash, as nearly all real envelopes do
  const up: Stream = { seq: 41, prevHash: 'A'.repeat(43) };
  const down: Stream = { seq: 41, prevHash: 'B'.repeat(43) };
  const toOutflow = outflow.encryption.publicKey;
  const out: SampleEnvelope[] = [];
  const add = (form: string, envelope: Envelope, records = 1) =>
    out.push({
      type: envelope.type,
      form,
      envelope,
      bytes: Buffer.byteLength(JSON.stringify(envelope)),
      records,
    });
  const receiptOf = (m: Envelope) =>
    seal(m.from === INFLOW ? outflow : inflow, m.from === INFLOW ? down : up, {
      type: 'receipt',
      from: m.to,
      to: m.from,
      agreementId: m.agreementId,
      correlationId: m.correlationId,
      causationId: m.id,
      payload: { messageId: m.id, messageHash: envelopeHash(m), brokerTime: Date.now() },
    });

  const secret = arrivalSecret(1);
  checkPii('migrant.arrival', 1, secret);
  const arrival = seal(inflow, up, {
    type: 'migrant.arrival',
    from: INFLOW,
    to: OUTFLOW,
    payload: { ...arrivalReadable(), pii: await encryptPii(secret, toOutflow) },
  });
  add('one arrival (API and campaign import alike)', arrival);
  add('receipt', receiptOf(arrival), 0);

  const verificationId = uuidv7();
  checkPii('certificate.verify.requested', 1, {
    certificateNumber: 'HZ-2026-0012345',
    idNumber: residentId(7),
  });
  const request = seal(inflow, up, {
    type: 'certificate.verify.requested',
    from: INFLOW,
    to: OUTFLOW,
    correlationId: verificationId,
    payload: {
      verificationId,
      pii: await encryptPii(
        { certificateNumber: 'HZ-2026-0012345', idNumber: residentId(7) },
        toOutflow,
      ),
    },
  });
  add('certificate check request', request);
  const answer = seal(outflow, down, {
    type: 'certificate.verify.answered',
    from: OUTFLOW,
    to: INFLOW,
    correlationId: verificationId,
    causationId: request.id,
    payload: { verificationId, result: 'VALID', answeredBy: 'automatic' },
  });
  add('certificate check answer', answer);

  const notice = {
    title: '流动人口信息通报：张某某现居惠州市惠城区',
    text:
      '张某某，女，户籍地宜宾市翠屏区，已于本月在惠州市惠城区办理居住证，' +
      '现居住于江北街道某社区，联系电话已登记。本人已婚，育有一孩，' +
      '请户籍地核对婚育情况并在十个工作日内回复。',
  };
  checkPii('notice', 1, notice);
  add(
    'notice (信息通报)',
    seal(inflow, up, {
      type: 'notice',
      from: INFLOW,
      to: OUTFLOW,
      payload: {
        category: 'person',
        domain: 'information-exchange',
        pii: await encryptPii(notice, toOutflow),
      },
    }),
  );

  const task = {
    subject: person(9),
    instructions: '请核实该人员在户籍地的婚育情况并回复核查结果。',
  };
  checkPii('task.requested', 1, task);
  const taskId = uuidv7();
  add(
    'task request (协查)',
    seal(inflow, up, {
      type: 'task.requested',
      from: INFLOW,
      to: OUTFLOW,
      correlationId: taskId,
      payload: {
        kind: 'investigation',
        domain: 'information-exchange',
        dueAt: '2026-04-01T00:00:00Z',
        pii: await encryptPii(task, toOutflow),
      },
    }),
  );
  return out;
}
