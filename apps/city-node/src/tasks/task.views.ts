import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCOPE_DOMAINS, TASK_KINDS, TASK_STATES } from '@yipanqi/contracts';
import type { TaskAction, TaskState } from '@yipanqi/contracts';
import { PersonView } from '../common.views';

const TASK_ACTIONS: TaskAction[] = [
  'request',
  'accept',
  'reject',
  'progress',
  'complete',
  'cancel',
];

/** A task as lists show it. Instants are UTC ISO strings. */
export class TaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: ['inbox', 'outbox'],
    description: 'inbox: a partner asks us; outbox: we ask',
  })
  box!: 'inbox' | 'outbox';

  @ApiProperty()
  partner!: string;

  @ApiProperty()
  requester!: string;

  @ApiProperty()
  performer!: string;

  @ApiProperty({ format: 'uuid' })
  agreementId!: string;

  @ApiProperty({ enum: TASK_KINDS })
  kind!: string;

  @ApiProperty({ enum: SCOPE_DOMAINS })
  domain!: string;

  @ApiProperty({ format: 'date-time' })
  dueAt!: string;

  @ApiProperty({ enum: TASK_STATES })
  state!: TaskState;

  @ApiProperty()
  overdue!: boolean;

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** A task with what its request carries encrypted (`reveal=true` with X-Access-Purpose). */
export class RevealedTaskView extends TaskView {
  @ApiPropertyOptional({ type: PersonView, description: 'revealed: who the task is about' })
  subject?: PersonView;

  @ApiPropertyOptional({ description: 'revealed' })
  instructions?: string;
}

/** GET /tasks/overdue: an open task past its due date. */
export class OverdueTaskView extends TaskView {
  @ApiProperty({ enum: ['us', 'partner'], description: 'whose turn it is' })
  late!: string;

  @ApiProperty({ type: 'integer' })
  overdueSeconds!: number;
}

/** One step of a task's history. */
export class TaskStepView {
  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiProperty({ enum: TASK_ACTIONS })
  action!: TaskAction;

  @ApiProperty({ description: 'the node that took the step' })
  by!: string;

  @ApiProperty({ enum: ['sent', 'received'] })
  direction!: 'sent' | 'received';

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ enum: ['node', 'broker'], description: 'whose clock `at` is' })
  clock!: string;

  @ApiPropertyOptional({ description: 'the readable reason or outcome code' })
  code?: string;

  @ApiPropertyOptional({ description: 'the staff member here (token label)' })
  staff?: string;

  @ApiPropertyOptional({ enum: ['pending', 'receipted', 'rejected'], description: 'sent steps' })
  delivery?: string;

  @ApiPropertyOptional()
  rejectionReason?: string;

  @ApiPropertyOptional({ description: 'why the step did not count' })
  void?: string;

  @ApiPropertyOptional({ description: 'revealed: accept and progress' })
  note?: string;

  @ApiPropertyOptional({ description: 'revealed: reject and cancel' })
  detail?: string;

  @ApiPropertyOptional({ description: 'revealed: complete' })
  report?: string;
}

/** GET /tasks/:id: the task with its history. */
export class TaskDetailView extends RevealedTaskView {
  @ApiProperty({ type: [TaskStepView] })
  history!: TaskStepView[];
}
