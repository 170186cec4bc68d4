import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import {
  SCOPE_DOMAINS,
  ScopeDomain,
  TASK_CANCELLATION_REASONS,
  TASK_KINDS,
  TASK_OUTCOMES,
  TASK_REJECTION_REASONS,
  TaskAcceptedPiiV1,
  TaskCancellationReason,
  TaskCancelledPiiV1,
  TaskCompletedPiiV1,
  TaskKind,
  TaskOutcome,
  TaskProgressPiiV1,
  TaskRejectedPiiV1,
  TaskRejectionReason,
  TaskRequestedPiiV1,
} from '@yipanqi/contracts';
import { TASK_STATES, TaskState } from './task-rules';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** POST /tasks: routing and readable fields, plus the subject and instructions that travel encrypted. */
export class RequestTaskDto extends TaskRequestedPiiV1 {
  /** the partner asked to do it */
  @Matches(/^[1-9]\d{5}$/, { message: 'to must be a 6-digit node code' })
  to!: string;

  /** investigation = 协查, commission = 委托 */
  @IsIn(TASK_KINDS)
  kind!: TaskKind;

  /** the scope item (协作事项) the task falls under */
  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  /**
   * an ISO 8601 instant with its offset, e.g. 2026-03-31T18:00:00+08:00; kept
   * to the second in UTC. By default now plus the agreement's task SLA.
   */
  @IsOptional()
  @Matches(INSTANT, { message: 'dueAt must be an ISO 8601 instant with an offset' })
  @IsISO8601({ strict: true })
  dueAt?: string;

  /** the agreement to send under; by default the one in force with `to` that covers `domain` */
  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** POST /tasks/:id/accept: an optional note (who handles it). */
export class AcceptTaskDto extends TaskAcceptedPiiV1 {}

/** POST /tasks/:id/progress */
export class ProgressTaskDto extends TaskProgressPiiV1 {}

/** POST /tasks/:id/reject */
export class RejectTaskDto extends TaskRejectedPiiV1 {
  @IsIn(TASK_REJECTION_REASONS)
  reason!: TaskRejectionReason;
}

/** POST /tasks/:id/complete */
export class CompleteTaskDto extends TaskCompletedPiiV1 {
  @IsIn(TASK_OUTCOMES)
  outcome!: TaskOutcome;
}

/** POST /tasks/:id/cancel */
export class CancelTaskDto extends TaskCancelledPiiV1 {
  @IsIn(TASK_CANCELLATION_REASONS)
  reason!: TaskCancellationReason;
}

/** `?reveal=true` asks for personal data; it needs an X-Access-Purpose. */
export class RevealQuery {
  @IsOptional()
  @IsIn(['true', 'false'])
  reveal?: 'true' | 'false';
}

/** GET /tasks */
export class TaskListQuery extends RevealQuery {
  /** inbox: what partners asked of us; outbox: what we asked; both when absent */
  @IsOptional()
  @IsIn(['inbox', 'outbox'])
  box?: 'inbox' | 'outbox';

  @IsOptional()
  @IsIn(TASK_STATES)
  state?: TaskState;

  @IsOptional()
  @Matches(/^[1-9]\d{5}$/, { message: 'partner must be a 6-digit node code' })
  partner?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
