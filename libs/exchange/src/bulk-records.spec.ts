import { v7 as uuidv7 } from 'uuid';
import {
  Envelope,
  hasValidPayload,
  hasValidPii,
  MessageOf,
  residentIdCheckChar,
} from '@yipanqi/contracts';
import { isBulkMessage, splitBulk } from './bulk-records';

const JWE = 'eyJhbGciOiJFQ0RILUVTIn0.AAAA.AAAA.AAAA.AAAA';

/** synthetic: a made-up ID number with its correct check character */
const ID_NUMBER = `51150219900101123${residentIdCheckChar('51150219900101123')}`;

const person = () => ({
  person: { idNumber: ID_NUMBER, name: '王小明', address: '惠州市惠城区' },
  maritalStatus: 'married',
});

function record(over: { payload?: object; correlationId?: string } = {}) {
  const recordId = uuidv7();
  return {
    id: uuidv7(),
    correlationId: over.correlationId ?? recordId,
    payload: { recordId, arrivedOn: '2026-05-01', householdDivision: '511502', ...over.payload },
  };
}

/** A bulk as the inbox has it once its container passed the bulk schema. */
function bulk(records: object[], pii: object[]): MessageOf<'migrant.arrival.bulk'> {
  const envelope: Envelope = {
    id: uuidv7(),
    type: 'migrant.arrival.bulk',
    v: 1,
    from: '441300',
    to: '511500',
    agreementId: uuidv7(),
    correlationId: null,
    causationId: null,
    seq: 1,
    prevHash: null,
    occurredAt: '2026-05-01T00:00:00Z',
    payload: { records, pii: JWE },
    sig: 'S'.repeat(86),
  };
  const problems: string[] = [];
  if (!hasValidPayload(envelope, problems)) throw new Error(problems.join('; '));
  const message = { envelope, pii: { records: pii } };
  if (!hasValidPii(message, problems) || !isBulkMessage(message)) throw new Error(problems.join());
  if (message.envelope.type !== 'migrant.arrival.bulk') throw new Error('not an arrival bulk');
  return message;
}

describe('splitBulk', () => {
  it('gives each record as the message it would have been alone', () => {
    const r = record();
    const split = splitBulk(bulk([r], [person()]));
    if ('reason' in split) throw new Error(split.detail);
    expect(split.refused.size).toBe(0);
    expect(split.records).toHaveLength(1);
    const [alone] = split.records;
    expect(alone.envelope).toMatchObject({
      id: r.id,
      type: 'migrant.arrival',
      correlationId: r.correlationId,
      payload: { ...r.payload, pii: JWE },
    });
    expect(alone.pii).toEqual(person());
  });

  it('refuses a record alone when its payload or its pii fails the single type’s schema', () => {
    const good = record();
    const badPayload = record({ payload: { householdDivision: '51150' } });
    const badPii = record();
    const ownPii = record({ payload: { pii: JWE } });
    const split = splitBulk(
      bulk(
        [good, badPayload, badPii, ownPii],
        [person(), person(), { maritalStatus: 'x' }, person()],
      ),
    );
    if ('reason' in split) throw new Error(split.detail);
    expect(split.records.map((m) => m.envelope.id)).toEqual([good.id]);
    expect([...split.refused.keys()]).toEqual([badPayload.id, badPii.id, ownPii.id]);
    expect(split.refused.get(badPayload.id)?.detail).toContain('householdDivision');
    expect(split.refused.get(badPii.id)?.detail).toContain('pii.records[2]');
    expect([...split.refused.values()].map((x) => x.reason)).toEqual([
      'SCHEMA_INVALID',
      'SCHEMA_INVALID',
      'SCHEMA_INVALID',
    ]);
  });

  it('refuses the whole bulk when its records and its pii do not line up', () => {
    expect(splitBulk(bulk([record(), record()], [person()]))).toEqual({
      reason: 'SCHEMA_INVALID',
      detail: 'pii.records: 1 entries for 2 records',
    });
  });

  it('passes a repeated record id on once (the receipt refuses the repeat by position)', () => {
    const r = record();
    const split = splitBulk(bulk([r, { ...record(), id: r.id }], [person(), person()]));
    if ('reason' in split) throw new Error(split.detail);
    expect(split.records.map((m) => m.envelope.payload.recordId)).toEqual([r.payload.recordId]);
    expect(split.refused.size).toBe(0);
  });
});
