import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';
import type { TaskAction, TaskState } from './task-rules';

/**
 * A task (协查 / 委托事项) this node asked of a partner (`outbox`) or a
 * partner asked of it (`inbox`). Its state is the replay of its steps
 * (task-rules `replayTask`), kept here for lists and the overdue view.
 */
@Entity('task')
@Index('ix_task_box_state', ['box', 'state'])
@Index('ix_task_state_due', ['state', 'dueAt'])
export class Task {
  /** the task id: the thread's correlationId, a UUIDv7 made by the requester */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  box!: 'inbox' | 'outbox';

  @Column({ type: 'varchar', length: 6 })
  peer!: string;

  @Column({ name: 'agreement_id', type: 'varchar', length: 36 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'varchar', length: 32 })
  domain!: string;

  /** epoch ms, whole seconds: the `dueAt` of the request */
  @Column({ name: 'due_at', type: 'bigint', transformer: bigintAsNumber })
  dueAt!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: TaskState;

  /** the task.requested envelope: every later message of the task names it as causationId */
  @Column({ name: 'request_message_id', type: 'varchar', length: 36 })
  requestMessageId!: string;

  /** subject and instructions (TaskRequestedPiiV1), encrypted under the node-local data key */
  @Column({ type: 'text' })
  pii!: string;

  /** when the request was made here (outbox) or reached the broker (inbox) */
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintAsNumber })
  updatedAt!: number;
}

/** One message of a task's thread, sent or received: the task's history. */
@Entity('task_step')
@Index('ix_task_step_task', ['taskId'])
export class TaskStep {
  /** the envelope that carried it */
  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 36 })
  messageId!: string;

  @Column({ name: 'task_id', type: 'varchar', length: 36 })
  taskId!: string;

  @Column({ type: 'varchar', length: 16 })
  action!: TaskAction;

  /** the node that took it */
  @Column({ type: 'varchar', length: 6 })
  by!: string;

  @Column({ type: 'varchar', length: 8 })
  direction!: 'sent' | 'received';

  /** reason (rejection, cancellation) or outcome (completion) code */
  @Column({ type: 'varchar', length: 32, nullable: true })
  code!: string | null;

  /** note, detail or report, encrypted under the node-local data key */
  @Column({ type: 'text', nullable: true })
  pii!: string | null;

  /** the staff token that took a step sent from here */
  @Column({ name: 'staff_token_id', type: 'varchar', length: 64, nullable: true })
  staffTokenId!: string | null;

  @Column({ name: 'staff_label', type: 'varchar', length: 200, nullable: true })
  staffLabel!: string | null;

  /** sent: this node's clock when it was queued; received: the record's broker time */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  at!: number;
}

export const TASK_ENTITIES = [Task, TaskStep];
