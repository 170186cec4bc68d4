import { ANSWER_TYPES, isAnswer, MESSAGE_TYPES } from './message-types';

describe('which messages await an answer', () => {
  it('every catalogue type but receipts and rejections, bulk forms and answering flows too', () => {
    const awaiting = MESSAGE_TYPES.filter((t) => !isAnswer(t));
    expect(MESSAGE_TYPES.filter(isAnswer)).toEqual(['receipt', 'rejection']);
    // a reply within a flow is itself a message the partner receipts (DESIGN §4)
    expect(awaiting).toEqual(
      expect.arrayContaining([
        'migrant.arrival.bulk',
        'certificate.verify.answered',
        'agreement.countersigned',
        'task.completed',
        'service.acknowledged',
      ]),
    );
    expect(awaiting).toHaveLength(MESSAGE_TYPES.length - 2);
  });

  it('the list a query uses says the same as isAnswer', () => {
    expect([...ANSWER_TYPES]).toEqual(MESSAGE_TYPES.filter(isAnswer));
    expect(isAnswer('receipt.bulk')).toBe(false);
  });
});
