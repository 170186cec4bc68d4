import type { EntityManager } from 'typeorm';
import { generateNodeKeys } from '@yipanqi/crypto';
import { Outbox, OutgoingPayloadInvalid, outgoingPayloadProblems } from './outbox';

const notice = (payload: Record<string, unknown>) => ({ to: '511500', type: 'notice', payload });

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
    await expect(
      outbox.enqueueAll(untouched, [
        notice({ category: 'nonsense', domain: 'publicity', pii: 'a.b.c.d.e' }),
      ]),
    ).rejects.toBeInstanceOf(OutgoingPayloadInvalid);
  });
});
