import { MESSAGE_TYPES } from '@yipanqi/contracts';
import type { ExchangeEvent } from '@yipanqi/exchange';
import { exchangeLogFields } from './exchange-log-line';

const sent: ExchangeEvent = {
  outcome: 'sent',
  messageId: '0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b',
  type: 'notice',
  from: '441300',
  to: '511500',
  reason: null,
};

describe('exchangeLogFields', () => {
  it('keeps ids, types, codes and reasons of the right shape', () => {
    expect(
      exchangeLogFields({
        outcome: 'rejected',
        messageId: '0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b',
        type: 'task-request',
        from: '441300',
        to: '511500',
        reason: 'NO_AGREEMENT',
      }),
    ).toEqual({
      event: 'exchange',
      outcome: 'rejected',
      messageId: '0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b',
      type: 'task-request',
      from: '441300',
      to: '511500',
      reason: 'NO_AGREEMENT',
    });
  });

  it('keeps every type of the catalogue, dotted as they are', () => {
    for (const type of MESSAGE_TYPES) {
      expect(exchangeLogFields({ ...sent, type }).type).toBe(type);
    }
    for (const type of ['task..requested', '.task', 'task.', 'Task.requested', 'a'.repeat(49)]) {
      expect([type, exchangeLogFields({ ...sent, type }).type]).toEqual([type, '(invalid)']);
    }
  });

  it('never prints free text a hostile record carried', () => {
    const fields = exchangeLogFields({
      outcome: 'dropped',
      messageId: '张三 13800138000',
      type: '{"name":"张三"}',
      from: '广东省惠州市惠城区某街道1号',
      to: '511500',
      reason: 'UNKNOWN_SENDER',
    });
    expect(fields).toMatchObject({ messageId: '(invalid)', type: '(invalid)', from: '(invalid)' });
    expect(JSON.stringify(fields)).not.toMatch(/张三|13800138000|惠城区/);
  });

  it('keeps nulls (a record that did not parse has no id, type or sender)', () => {
    expect(
      exchangeLogFields({
        outcome: 'dead-letter',
        messageId: null,
        type: null,
        from: null,
        to: '511500',
        reason: null,
      }),
    ).toMatchObject({ messageId: null, type: null, from: null, reason: null });
  });
});
