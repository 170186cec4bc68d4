import { DEFAULT_SLA } from '../agreements/agreement-rules';
import {
  isTerminal,
  sideOf,
  TaskAction,
  TaskSide,
  TaskState,
  transitionProblem,
  utcSecond,
} from '@yipanqi/contracts';

/**
 * The rules of tasks a node applies to its own staff's actions, free of Nest
 * and TypeORM; the thread rules both sides and the auditor apply
 * (`replayTask`, `receivedStepProblem`, …) live in libs/contracts
 * task-thread.ts. docs/tasks.md explains them for staff.
 */

export {
  actionOfType,
  isTerminal,
  receivedDueDateProblem,
  receivedStepProblem,
  replayTask,
  sideOf,
  TASK_MESSAGE_TYPES,
  TASK_STATES,
  transitionProblem,
  utcSecond,
} from '@yipanqi/contracts';
export type {
  TaskAction,
  TaskReplay,
  TaskSide,
  TaskState,
  TaskStepRef,
  TaskStepType,
} from '@yipanqi/contracts';

type FollowUp = Exclude<TaskAction, 'request'>;

export type ActionRefusal =
  { code: 'TASK_NOT_YOURS'; detail: string } | { code: 'TASK_STATE_CONFLICT'; detail: string };

/** Whether this node, on `side` of a task in `state`, may take `action` now. */
export function actionRefusal(
  side: TaskSide,
  state: TaskState,
  action: FollowUp,
): ActionRefusal | undefined {
  const by = sideOf(action);
  if (by !== side) {
    return { code: 'TASK_NOT_YOURS', detail: `only the ${by} may ${action} a task` };
  }
  const problem = transitionProblem(state, action);
  return problem ? { code: 'TASK_STATE_CONFLICT', detail: problem } : undefined;
}

// ---- due dates -------------------------------------------------------------

export const DEFAULT_TASK_HOURS = DEFAULT_SLA.taskHours;

const HOUR_MS = 3600_000;

export type DueDate = { dueAt: string } | { past: string };

/**
 * The task's due date: the one staff asked for, or `now` plus the agreement's
 * task SLA. A due date that is not after `now` (once truncated to the second)
 * cannot be met and is refused.
 */
export function dueDate(now: number, requested: string | undefined, taskHours: number): DueDate {
  if (requested === undefined) return { dueAt: utcSecond(now + taskHours * HOUR_MS) };
  const ms = Date.parse(requested);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${requested}`);
  const dueAt = utcSecond(ms);
  return Date.parse(dueAt) <= now
    ? { past: `dueAt ${dueAt} is not after now (${utcSecond(now)})` }
    : { dueAt };
}

/** Still open and past its due date. */
export function isOverdue(state: TaskState, dueAt: number, now: number): boolean {
  return !isTerminal(state) && dueAt < now;
}
