import type { EntityManager } from 'typeorm';
import { generateNodeKeys } from '@yipanqi/crypto';
import { Outbox, OutgoingMessage, OutgoingPayloadInvalid, outgoingPayloadProblems } from './outbox';

const notice = (payload: Record<string, unknown>) => ({ to: '511500', type: 'notice', payload });
const JWE = 'eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn';

describe('outgoing payloads', () => {
  it('pass the schema the receiver uses', () => {
    expect(
      outgoingPayloadProblems(
        notice({ category: 'policy', domain: 'publicity', pii: 'a.b.c.d.e' }),
      ),
    ).toEqual([]);
  });

  it('are refused when the receiver would refuse them', () => {
    expect(outgoingPayloadProblems(notice({ category: 'policy', pii: 'a.b.c.d.e' }))).toEqual([
      expect.stringMatching(/domain/),
    ]);
    expect(
      outgoingPayloadProblems(
        notice({ category: 'policy', domain: 'publicity', pii: 'x', idNumber: '1' }),
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/idNumber should not exist/)]));
    expect(outgoingPayloadProblems({ ...notice({}), type: 'notice.v9' })).toEqual([
      'notice.v9 v1 is not in the catalogue',
    ]);
  });

  it('ignore members that do not travel (undefined)', () => {
    expect(
      outgoingPayloadProblems(
        notice({ category: 'policy', domain: 'publicity', pii: 'a.b.c.d.e', extra: undefined }),
      ),
    ).toEqual([]);
  });

  it('never reach the database, let alone Kafka, when invalid', async () => {
    const outbox = new Outbox('441300', generateNodeKeys().signing.privateKey);
    const untouched = new Proxy({} as EntityManager, {
      get: () => {
        throw new Error('the database was used');
      },
    });
    // typed right (the type checker is content), but not a JWE: only the schema knows
    await expect(
      outbox.enqueueAll(untouched, [
        {
          to: '511500',
          type: 'notice',
          payload: { category: 'policy', domain: 'publicity', pii: 'x' },
        },
      ]),
    ).rejects.toBeInstanceOf(OutgoingPayloadInvalid);
    // a member the type does not name gets past the type checker when not written literally
    const withExtra = { category: 'policy', domain: 'publicity', pii: JWE, idNumber: '1' } as const;
    await expect(
      outbox.enqueue(untouched, { to: '511500', type: 'notice', payload: withExtra }),
    ).rejects.toThrow(/idNumber should not exist/);
  });

  it('are typed by their message type', () => {
    const problems = (m: OutgoingMessage) => outgoingPayloadProblems(m).length > 0;
    const n = { category: 'policy', domain: 'publicity', pii: JWE } as const;
    expect(problems({ to: '511500', type: 'notice', payload: n })).toBe(false);
    // @ts-expect-error a notice has no idNumber
    expect(problems({ to: '511500', type: 'notice', payload: { ...n, idNumber: '1' } })).toBe(true);
    // @ts-expect-error a receipt's payload is not a notice's
    expect(problems({ to: '511500', type: 'receipt', payload: n })).toBe(true);
    // @ts-expect-error not a type of the catalogue
    expect(problems({ to: '511500', type: 'notice.v9', payload: n })).toBe(true);
  });
});
