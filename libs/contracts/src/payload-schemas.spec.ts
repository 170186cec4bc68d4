import { sampleEnvelope } from '../../../tests/support/envelopes';
import { MESSAGE_TYPES } from './message-types';
import {
  hasValidPayload,
  hasValidPii,
  PAYLOAD_SCHEMAS,
  PayloadOf,
  payloadSchema,
  validateDto,
} from './payload-schemas';
import { NoticePayloadV1 } from './payloads/notice';
import { ReceiptPayloadV1, RejectionPayloadV1 } from './payloads/answers';

const JWE = 'eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn';

describe('payload validation', () => {
  it('accepts a valid notice', () => {
    expect(
      validateDto(NoticePayloadV1, { category: 'policy', domain: 'publicity', pii: JWE }),
    ).toEqual([]);
  });

  it('names unknown fields', () => {
    const problems = validateDto(NoticePayloadV1, {
      category: 'policy',
      domain: 'publicity',
      pii: JWE,
      idNumber: '110101199003071234',
    });
    expect(problems).toEqual(['idNumber: property idNumber should not exist']);
  });

  it('names wrong types and values', () => {
    const problems = validateDto(NoticePayloadV1, { category: 7, domain: 'weather', pii: JWE });
    expect(problems.some((p) => p.startsWith('category:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('domain:'))).toBe(true);
  });

  it('refuses an unknown rejection reason', () => {
    const problems = validateDto(RejectionPayloadV1, {
      messageId: '0192f3c4-0000-7000-8000-000000000000',
      messageHash: 'a'.repeat(43),
      brokerTime: 1764400000000,
      reason: 'BECAUSE',
      detail: '',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^reason:/);
  });

  it('requires a receipt to state the broker time of the record it answers', () => {
    const receipt = {
      messageId: '0192f3c4-0000-7000-8000-000000000000',
      messageHash: 'a'.repeat(43),
    };
    expect(validateDto(ReceiptPayloadV1, receipt)).toEqual([
      expect.stringMatching(/^brokerTime:/),
      expect.stringMatching(/^brokerTime:/),
    ]);
    expect(validateDto(ReceiptPayloadV1, { ...receipt, brokerTime: 1764400000000 })).toEqual([]);
  });

  it('knows which versions exist', () => {
    expect(payloadSchema('notice', 1)).toBeDefined();
    expect(payloadSchema('notice', 2)).toBeUndefined();
    expect(payloadSchema('nonsense', 1)).toBeUndefined();
  });

  it('has a payload class for every catalogue type, and nothing else', () => {
    for (const type of MESSAGE_TYPES) {
      const versions = Object.keys(PAYLOAD_SCHEMAS[type]).map(Number);
      expect({ type, versions }).toEqual({ type, versions: expect.arrayContaining([1]) });
      for (const v of versions) expect(typeof payloadSchema(type, v)?.payload).toBe('function');
    }
    expect(Object.keys(PAYLOAD_SCHEMAS).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it('types an envelope by its type once its payload passes', () => {
    const envelope = sampleEnvelope({
      payload: { category: 'policy', domain: 'publicity', pii: JWE },
    });
    const problems: string[] = [];
    if (!hasValidPayload(envelope, problems) || envelope.type !== 'notice') throw new Error();
    const typed: PayloadOf<'notice'> = envelope.payload;
    expect(typed.domain).toBe('publicity');
    expect(hasValidPii({ envelope, pii: { title: 't', text: '' } }, problems)).toBe(true);
    expect(hasValidPii({ envelope, pii: { title: 't' } }, problems)).toBe(false);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith('text:'))).toBe(true);

    const wrong = { ...envelope, payload: { category: 'policy' } };
    expect(hasValidPayload(wrong, problems)).toBe(false);
    expect(hasValidPayload({ ...envelope, type: 'nonsense' }, problems)).toBe(false);
    expect(problems).toContain('nonsense v1 is not in the catalogue');
  });
});
