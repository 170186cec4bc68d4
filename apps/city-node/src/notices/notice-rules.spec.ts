import { deliveryOf } from './delivery';
import { noticeAcknowledgeProblem } from './notice-rules';

const NOTICE = '0192f3c4-0000-7000-8000-000000000005';

describe('acknowledging a notice', () => {
  it('is for the staff of the node that received it', () => {
    expect(
      noticeAcknowledgeProblem({ id: NOTICE, direction: 'received', acknowledgedAt: null }),
    ).toBeUndefined();
    expect(
      noticeAcknowledgeProblem({ id: NOTICE, direction: 'sent', acknowledgedAt: null }),
    ).toMatchObject({ status: 422, code: 'OWN_NOTICE' });
  });

  it('happens once', () => {
    expect(
      noticeAcknowledgeProblem({ id: NOTICE, direction: 'received', acknowledgedAt: 1 }),
    ).toMatchObject({ status: 409, code: 'NOTICE_ALREADY_ACKNOWLEDGED' });
  });
});

describe('the delivery of a sent message', () => {
  const row = { id: NOTICE, sentAt: null, answer: null, answerReason: null };

  it('is pending until published, then sent until answered', () => {
    expect(deliveryOf(row)).toEqual({ messageId: NOTICE, state: 'pending', reason: null });
    expect(deliveryOf({ ...row, sentAt: 1 }).state).toBe('sent');
  });

  it('is the partner answer once there is one, with the rejection reason', () => {
    expect(deliveryOf({ ...row, sentAt: 1, answer: 'receipt' }).state).toBe('receipt');
    expect(
      deliveryOf({ ...row, sentAt: 1, answer: 'rejection', answerReason: 'OUT_OF_SCOPE' }),
    ).toEqual({ messageId: NOTICE, state: 'rejection', reason: 'OUT_OF_SCOPE' });
  });
});
