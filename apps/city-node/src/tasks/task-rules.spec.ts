import {
  actionOfType,
  actionRefusal,
  dueDate,
  isOverdue,
  receivedDueDateProblem,
  receivedStepProblem,
  replayTask,
  TaskAction,
  TaskStepRef,
  transitionProblem,
  utcSecond,
} from './task-rules';

/** Envelope ids in the order they were made (UUIDv7 sorts by time). */
const id = (n: number) => `0192f3c4-${String(n).padStart(4, '0')}-7000-8000-000000000000`;
const step = (n: number, action: TaskAction): TaskStepRef => ({ messageId: id(n), action });
const request = step(1, 'request');

describe('task state machine', () => {
  it('goes requested → accepted → (progress) → completed', () => {
    const steps = [request, step(2, 'accept'), step(3, 'progress'), step(4, 'progress')];
    expect(replayTask(steps).state).toBe('accepted');
    const done = replayTask([...steps, step(5, 'complete')]);
    expect(done).toEqual({ state: 'completed', void: new Map() });
  });

  it('ends at a rejection', () => {
    expect(replayTask([request, step(2, 'reject')]).state).toBe('rejected');
  });

  it.each(['requested', 'accepted'] as const)('lets the requester cancel when %s', (state) => {
    expect(transitionProblem(state, 'cancel')).toBeUndefined();
  });

  it.each([
    ['requested', 'complete'],
    ['requested', 'progress'],
    ['accepted', 'accept'],
    ['accepted', 'reject'],
    ['rejected', 'accept'],
    ['rejected', 'cancel'],
    ['completed', 'progress'],
    ['completed', 'cancel'],
    ['cancelled', 'accept'],
    ['cancelled', 'complete'],
    ['cancelled', 'cancel'],
  ] as const)('refuses to go from %s by %s', (state, action) => {
    expect(transitionProblem(state, action)).toMatch(`cannot ${action} a task that is ${state}`);
  });

  it('never takes a second request', () => {
    expect(transitionProblem('requested', 'request')).toBeDefined();
  });

  it('marks steps that do not fit as void and keeps the state', () => {
    const replay = replayTask([request, step(2, 'complete'), step(3, 'accept')]);
    expect(replay.state).toBe('accepted');
    expect([...replay.void.keys()]).toEqual([id(2)]);
  });

  it('puts the request first even when a partner clock makes later ids sort before it', () => {
    const early = { messageId: '0000', action: 'accept' as const };
    expect(replayTask([request, early]).state).toBe('accepted');
  });

  it('needs the request', () => {
    expect(() => replayTask([step(2, 'accept')])).toThrow();
  });

  it('maps message types to actions', () => {
    expect(actionOfType('task.completed')).toBe('complete');
    expect(actionOfType('task.progress')).toBe('progress');
    expect(actionOfType('notice')).toBeUndefined();
  });
});

describe('crossing messages', () => {
  it('lets an earlier completion stand over a later cancellation, on both sides', () => {
    const accepted = [request, step(2, 'accept')];
    // the requester cancelled (id 5) before the completion made earlier (id 4) arrived
    const atRequester = [...accepted, step(5, 'cancel')];
    expect(receivedStepProblem(atRequester, step(4, 'complete'), 'performer')).toBeUndefined();
    const requesterView = replayTask([...atRequester, step(4, 'complete')]);
    // the performer completed (id 4) before the cancellation (id 5) arrived
    const atPerformer = [...accepted, step(4, 'complete')];
    expect(receivedStepProblem(atPerformer, step(5, 'cancel'), 'requester')).toMatch(
      'cannot cancel a task that is completed',
    );
    const performerView = replayTask(atPerformer);
    expect(requesterView.state).toBe('completed');
    expect(performerView.state).toBe('completed');
    expect([...requesterView.void.keys()]).toEqual([id(5)]);
  });

  it('lets an earlier cancellation stand over a later completion, on both sides', () => {
    const accepted = [request, step(2, 'accept')];
    const atRequester = [...accepted, step(4, 'cancel')];
    expect(receivedStepProblem(atRequester, step(5, 'complete'), 'performer')).toMatch(
      'cannot complete a task that is cancelled',
    );
    const atPerformer = [...accepted, step(5, 'complete')];
    expect(receivedStepProblem(atPerformer, step(4, 'cancel'), 'requester')).toBeUndefined();
    const performerView = replayTask([...atPerformer, step(4, 'cancel')]);
    expect(replayTask(atRequester).state).toBe('cancelled');
    expect(performerView.state).toBe('cancelled');
    expect([...performerView.void.keys()]).toEqual([id(5)]);
  });

  it('keeps a cancellation after an acceptance it crossed', () => {
    const atPerformer = [request, step(3, 'accept')];
    expect(receivedStepProblem(atPerformer, step(2, 'cancel'), 'requester')).toBeUndefined();
    const replay = replayTask([...atPerformer, step(2, 'cancel')]);
    expect(replay.state).toBe('cancelled');
    expect([...replay.void.keys()]).toEqual([id(3)]);
  });
});

describe('received task messages', () => {
  it('refuses a message from the wrong side', () => {
    expect(receivedStepProblem([request], step(2, 'cancel'), 'performer')).toBe(
      'only the requester may cancel a task',
    );
    expect(receivedStepProblem([request], step(2, 'accept'), 'requester')).toBe(
      'only the performer may accept a task',
    );
  });

  it('refuses a completion before an acceptance', () => {
    expect(receivedStepProblem([request], step(2, 'complete'), 'performer')).toMatch(
      'cannot complete a task that is requested',
    );
  });

  it('refuses anything after a terminal state', () => {
    const rejected = [request, step(2, 'reject')];
    expect(receivedStepProblem(rejected, step(3, 'cancel'), 'requester')).toMatch(
      'cannot cancel a task that is rejected',
    );
  });

  it('refuses a second request for the same task', () => {
    expect(receivedStepProblem([request], step(2, 'request'), 'requester')).toBe(
      'the task already exists',
    );
  });
});

describe('what staff may do', () => {
  it('tells the wrong side from the wrong moment', () => {
    expect(actionRefusal('requester', 'accepted', 'complete')).toEqual({
      code: 'TASK_NOT_YOURS',
      detail: 'only the performer may complete a task',
    });
    expect(actionRefusal('performer', 'requested', 'cancel')?.code).toBe('TASK_NOT_YOURS');
    expect(actionRefusal('performer', 'completed', 'progress')?.code).toBe('TASK_STATE_CONFLICT');
    expect(actionRefusal('performer', 'requested', 'accept')).toBeUndefined();
    expect(actionRefusal('requester', 'accepted', 'cancel')).toBeUndefined();
  });
});

describe('due dates', () => {
  const now = Date.parse('2026-03-01T08:00:00.750Z');

  it('defaults to now plus the task SLA, to the second in UTC', () => {
    expect(dueDate(now, undefined, 360)).toEqual({ dueAt: '2026-03-16T08:00:00Z' });
    expect(dueDate(now, undefined, 48)).toEqual({ dueAt: '2026-03-03T08:00:00Z' });
  });

  it('keeps a requested instant, normalised to UTC seconds', () => {
    expect(dueDate(now, '2026-03-05T18:30:15.999+08:00', 360)).toEqual({
      dueAt: '2026-03-05T10:30:15Z',
    });
  });

  it('refuses a due date that is not after now', () => {
    expect(dueDate(now, '2026-02-28T00:00:00Z', 360)).toHaveProperty('past');
    // within the current second: truncated, it is already past
    expect(dueDate(now, '2026-03-01T08:00:00.900Z', 360)).toHaveProperty('past');
    expect(dueDate(now, '2026-03-01T08:00:01Z', 360)).toEqual({ dueAt: '2026-03-01T08:00:01Z' });
  });

  it('refuses a received request that was due before it reached the broker', () => {
    expect(receivedDueDateProblem('2026-03-01T08:00:00Z', now)).toMatch('is not after');
    expect(receivedDueDateProblem('2026-03-01T08:00:01Z', now)).toBeUndefined();
  });

  it('writes instants as evaluation reads them', () => {
    expect(utcSecond(Date.parse('2026-03-01T23:59:59.999+08:00'))).toBe('2026-03-01T15:59:59Z');
  });

  it('calls a task overdue only while it is open and past due', () => {
    expect(isOverdue('accepted', now - 1, now)).toBe(true);
    expect(isOverdue('requested', now + 1, now)).toBe(false);
    expect(isOverdue('completed', now - 1, now)).toBe(false);
    expect(isOverdue('cancelled', now - 1, now)).toBe(false);
  });
});
