import { MessageType } from './message-types';

/**
 * The thread rules of tasks (协查 / 委托事项): the state machine, which side
 * may do what, how crossing messages settle, and what a received step or
 * request must satisfy. The performer's node refuses by them on receipt; the
 * auditor judges those refusals by them (DESIGN §7). docs/tasks.md explains
 * them for staff.
 */

export const TASK_STATES = ['requested', 'accepted', 'rejected', 'completed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

const TERMINAL_STATES: readonly TaskState[] = ['rejected', 'completed', 'cancelled'];

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** What one message of a task does. */
export type TaskAction = 'request' | 'accept' | 'reject' | 'progress' | 'complete' | 'cancel';

/** The requester asked for the task (our outbox); the performer was asked (our inbox). */
export type TaskSide = 'requester' | 'performer';

export const TASK_MESSAGE_TYPES = {
  request: 'task.requested',
  accept: 'task.accepted',
  reject: 'task.rejected',
  progress: 'task.progress',
  complete: 'task.completed',
  cancel: 'task.cancelled',
} as const satisfies Record<TaskAction, MessageType>;

/** The message types of a task's later steps (all but the request). */
export type TaskStepType = Exclude<(typeof TASK_MESSAGE_TYPES)[TaskAction], 'task.requested'>;

export function actionOfType(type: string): TaskAction | undefined {
  return (Object.keys(TASK_MESSAGE_TYPES) as TaskAction[]).find(
    (a) => TASK_MESSAGE_TYPES[a] === type,
  );
}

type FollowUp = Exclude<TaskAction, 'request'>;

const RULES: Record<FollowUp, { by: TaskSide; from: readonly TaskState[]; to: TaskState }> = {
  accept: { by: 'performer', from: ['requested'], to: 'accepted' },
  reject: { by: 'performer', from: ['requested'], to: 'rejected' },
  progress: { by: 'performer', from: ['accepted'], to: 'accepted' },
  // no completion without acceptance: the log then always shows who took the task on
  complete: { by: 'performer', from: ['accepted'], to: 'completed' },
  cancel: { by: 'requester', from: ['requested', 'accepted'], to: 'cancelled' },
};

export function sideOf(action: TaskAction): TaskSide {
  return action === 'request' ? 'requester' : RULES[action].by;
}

/** Why `action` cannot follow `state`, or undefined when it can. */
export function transitionProblem(state: TaskState, action: TaskAction): string | undefined {
  if (action === 'request') return 'a task is requested once';
  const rule = RULES[action];
  return rule.from.includes(state)
    ? undefined
    : `cannot ${action} a task that is ${state} (allowed when ${rule.from.join(' or ')})`;
}

/** One message of a task's thread: its envelope id and what it does. */
export interface TaskStepRef {
  messageId: string;
  action: TaskAction;
}

export interface TaskReplay {
  state: TaskState;
  /** steps that took no effect, each with the reason */
  void: Map<string, string>;
}

/**
 * The task's state from its messages. The request comes first; every other
 * message is applied in envelope-id order (UUIDv7, so in the order they were
 * made) if the machine admits it at that point, and takes no effect otherwise.
 *
 * Ordering by id rather than by arrival settles crossings the same way on
 * both nodes without further messages: when a cancellation and the
 * performer's completion cross, the earlier one stands on both nodes and the
 * later one takes effect on neither (a node refuses such a message when it
 * arrives). An auditor replaying the log gets the same state by the same rule.
 */
export function replayTask(steps: readonly TaskStepRef[]): TaskReplay {
  const request = steps.find((s) => s.action === 'request');
  if (!request) throw new Error('a task has a request');
  const rest = steps
    .filter((s) => s !== request)
    .sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  let state: TaskState = 'requested';
  const voided = new Map<string, string>();
  for (const step of rest) {
    const problem = transitionProblem(state, step.action);
    if (problem) voided.set(step.messageId, problem);
    else state = RULES[step.action as FollowUp].to;
  }
  return { state, void: voided };
}

/**
 * Why a received message cannot join the thread, or undefined when it can:
 * it must come from the side that takes its action (`senderSide`) and take
 * effect at its place among the steps already known.
 */
export function receivedStepProblem(
  known: readonly TaskStepRef[],
  step: TaskStepRef,
  senderSide: TaskSide,
): string | undefined {
  if (step.action === 'request') return 'the task already exists';
  if (sideOf(step.action) !== senderSide) {
    return `only the ${sideOf(step.action)} may ${step.action} a task`;
  }
  return replayTask([...known, step]).void.get(step.messageId);
}

/** An instant as evaluation reads it: UTC, to the second (truncated). */
export function utcSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A received request whose due date had passed when it reached the broker cannot be met. */
export function receivedDueDateProblem(dueAt: string, brokerTime: number): string | undefined {
  return Date.parse(dueAt) <= brokerTime
    ? `dueAt ${dueAt} is not after the request's broker time ${utcSecond(brokerTime)}`
    : undefined;
}
