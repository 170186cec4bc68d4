import { MESSAGE_TYPES } from '../message-types';
import { payloadSchema, validateDto } from '../payload-schemas';
import { residentIdCheckChar } from '../resident-id';
import { TaskRequestedPayloadV1, TaskRequestedPiiV1 } from './task';

const JWE = 'eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn';
const first17 = '51150219900307123';
const idNumber = first17 + residentIdCheckChar(first17);

describe('task payloads', () => {
  const request = {
    kind: 'investigation',
    domain: 'information-exchange',
    dueAt: '2026-03-16T08:00:00Z',
    pii: JWE,
  };

  it('accepts a request with a UTC due date to the second', () => {
    expect(validateDto(TaskRequestedPayloadV1, request)).toEqual([]);
  });

  it.each([
    '2026-03-16T16:00:00+08:00',
    '2026-03-16T08:00:00.000Z',
    '2026-03-16',
    '2026-02-30T08:00:00Z',
  ])('refuses the due date %s', (dueAt) => {
    const problems = validateDto(TaskRequestedPayloadV1, { ...request, dueAt });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith('dueAt:'))).toBe(true);
  });

  it('takes a task with or without a subject, and checks the subject’s ID number', () => {
    expect(validateDto(TaskRequestedPiiV1, { instructions: '宣传教育活动' })).toEqual([]);
    expect(
      validateDto(TaskRequestedPiiV1, {
        subject: { idNumber, name: '王伟' },
        instructions: '核实',
      }),
    ).toEqual([]);
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    const problems = validateDto(TaskRequestedPiiV1, {
      subject: { idNumber: wrong, name: '王伟' },
      instructions: '核实',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^subject\.idNumber:/);
    expect(problems[0]).not.toContain(wrong);
  });

  it('knows every task message, including task.progress', () => {
    for (const type of [
      'requested',
      'accepted',
      'rejected',
      'progress',
      'completed',
      'cancelled',
    ]) {
      expect(MESSAGE_TYPES).toContain(`task.${type}`);
      expect(payloadSchema(`task.${type}`, 1)?.pii).toBeDefined();
    }
  });
});
