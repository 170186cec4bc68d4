import { Type } from 'class-transformer';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsJwe } from './common';
import { SCOPE_DOMAINS, ScopeDomain } from '../message-types';
import { PersonV1 } from './person';
import { PayloadSchemas } from './schema';

/**
 * Tasks (协查 / 委托事项, 管理互补): one side asks the other to do something by
 * a due date. Every message of a task carries the task id as `correlationId`
 * and the `task.requested` envelope id as `causationId`; docs/tasks.md has the
 * rules. What evaluation and audit read stays readable (kind, domain, dueAt,
 * reason and outcome codes); whatever may name a person travels in `pii`.
 */

/** 协查: find out or verify something; 委托: carry out a piece of work on the requester's behalf. */
export const TASK_KINDS = ['investigation', 'commission'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Why a performer declines a task. */
export const TASK_REJECTION_REASONS = [
  'not-our-person', // the person is not registered or living here
  'not-our-remit', // the work is not this office's to do
  'insufficient-information',
  'duplicate', // the same work was asked already
  'other',
] as const;
export type TaskRejectionReason = (typeof TASK_REJECTION_REASONS)[number];

/** What came of a completed task; evaluation counts any completion as completed. */
export const TASK_OUTCOMES = [
  'done',
  'partly-done',
  'person-not-found', // 查无此人
  'not-possible',
] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** Why a requester withdraws a task. */
export const TASK_CANCELLATION_REASONS = [
  'no-longer-needed',
  'person-moved',
  'requested-in-error',
  'other',
] as const;
export type TaskCancellationReason = (typeof TASK_CANCELLATION_REASONS)[number];

/** A UTC instant to the second, the one form scoring compares. */
export const UTC_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Free text that may name people: it travels and rests encrypted. */
const TEXT_LIMIT = 10000;

/** task.requested: readable part. */
export class TaskRequestedPayloadV1 {
  @IsIn(TASK_KINDS)
  kind!: TaskKind;

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  /** the deadline evaluation measures the completion against */
  @Matches(UTC_SECOND, { message: 'dueAt must be a UTC instant YYYY-MM-DDTHH:MM:SSZ' })
  @IsISO8601({ strict: true })
  dueAt!: string;

  @IsJwe()
  pii!: string;
}

/** task.requested: the encrypted part. A task need not be about one person (e.g. a publicity session). */
export class TaskRequestedPiiV1 {
  @IsOptional()
  @ValidateNested()
  @Type(() => PersonV1)
  subject?: PersonV1;

  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMIT)
  instructions!: string;
}

/** task.accepted and task.progress: nothing readable beyond the envelope. */
export class TaskNotePayloadV1 {
  @IsJwe()
  pii!: string;
}

/** task.accepted: an optional word on who handles it. */
export class TaskAcceptedPiiV1 {
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_LIMIT)
  note?: string;
}

/** task.progress: a progress note while the task is under way. */
export class TaskProgressPiiV1 {
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMIT)
  note!: string;
}

/** task.rejected: the reason code is readable, its explanation is not. */
export class TaskRejectedPayloadV1 {
  @IsIn(TASK_REJECTION_REASONS)
  reason!: TaskRejectionReason;

  @IsJwe()
  pii!: string;
}

export class TaskRejectedPiiV1 {
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMIT)
  detail!: string;
}

/** task.completed: the outcome code is readable, the report is not. */
export class TaskCompletedPayloadV1 {
  @IsIn(TASK_OUTCOMES)
  outcome!: TaskOutcome;

  @IsJwe()
  pii!: string;
}

export class TaskCompletedPiiV1 {
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMIT)
  report!: string;
}

/** task.cancelled: the reason code is readable, an explanation optional and encrypted. */
export class TaskCancelledPayloadV1 {
  @IsIn(TASK_CANCELLATION_REASONS)
  reason!: TaskCancellationReason;

  @IsJwe()
  pii!: string;
}

export class TaskCancelledPiiV1 {
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_LIMIT)
  detail?: string;
}

export const TASK_SCHEMAS = {
  'task.requested': { 1: { payload: TaskRequestedPayloadV1, pii: TaskRequestedPiiV1 } },
  'task.accepted': { 1: { payload: TaskNotePayloadV1, pii: TaskAcceptedPiiV1 } },
  'task.progress': { 1: { payload: TaskNotePayloadV1, pii: TaskProgressPiiV1 } },
  'task.rejected': { 1: { payload: TaskRejectedPayloadV1, pii: TaskRejectedPiiV1 } },
  'task.completed': { 1: { payload: TaskCompletedPayloadV1, pii: TaskCompletedPiiV1 } },
  'task.cancelled': { 1: { payload: TaskCancelledPayloadV1, pii: TaskCancelledPiiV1 } },
} satisfies PayloadSchemas;
