import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { EnvelopeOf, PayloadOf, TaskRequestedPiiV1 } from '@yipanqi/contracts';
import { decryptAtRest, encryptAtRest, encryptPii } from '@yipanqi/crypto';
import {
  ExchangeNode,
  MessageRefused,
  OutboxMessage,
  PeerKeys,
  ReceivedMessage,
} from '@yipanqi/exchange';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AccessLog, AccessReason } from '../access-log/access-log';
import { agreementState } from '../agreements/agreement-store';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { partnerKey } from '../exchange/flow-sending';
import { CITY_NODE_CONFIG } from '../tokens';
import {
  AcceptTaskDto,
  CancelTaskDto,
  CompleteTaskDto,
  ProgressTaskDto,
  RejectTaskDto,
  RequestTaskDto,
  TaskListQuery,
} from './task.dto';
import { Task, TaskStep } from './task.entities';
import {
  actionOfType,
  actionRefusal,
  DEFAULT_TASK_HOURS,
  dueDate,
  isOverdue,
  isTerminal,
  receivedDueDateProblem,
  receivedStepProblem,
  replayTask,
  TASK_MESSAGE_TYPES,
  TASK_STATES,
  TaskAction,
  TaskSide,
  TaskState,
  TaskStepType,
  utcSecond,
} from './task-rules';

/** A later task message as this node sends it: type and payload. */
type StepMessage = { [T in TaskStepType]: { type: T; payload: PayloadOf<T> } }[TaskStepType];

/** The readable code a step carries: a rejection's or cancellation's reason, a completion's outcome. */
function stepCode(envelope: EnvelopeOf<TaskStepType>): string | null {
  switch (envelope.type) {
    case 'task.rejected':
    case 'task.cancelled':
      return envelope.payload.reason;
    case 'task.completed':
      return envelope.payload.outcome;
    default:
      return null;
  }
}

/** A staff action on an existing task: what travels readable and what encrypted. */
type StaffStep =
  | { action: 'accept'; dto: AcceptTaskDto }
  | { action: 'progress'; dto: ProgressTaskDto }
  | { action: 'reject'; dto: RejectTaskDto }
  | { action: 'complete'; dto: CompleteTaskDto }
  | { action: 'cancel'; dto: CancelTaskDto };

const OPEN_STATES = TASK_STATES.filter((s) => !isTerminal(s));
const RECORD_TYPE = 'task';

function refuse(detail: string): never {
  throw new MessageRefused('SCHEMA_INVALID', detail);
}

@Injectable()
export class TasksService {
  private readonly me: string;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly accessLog: AccessLog,
  ) {
    this.me = config.nodeCode;
  }

  // ---- staff actions --------------------------------------------------------

  /** Records the task and queues task.requested in one transaction. */
  async request(dto: RequestTaskDto, staff: Principal) {
    const secret: TaskRequestedPiiV1 = {
      ...(dto.subject ? { subject: { ...dto.subject } } : {}),
      instructions: dto.instructions,
    };
    const [forPartner, forUs] = await Promise.all([
      encryptPii(secret, partnerKey(this.peers, dto.to)),
      encryptAtRest(secret, this.dataKey),
    ]);
    return this.transactions.run(async (m) => {
      const now = Date.now();
      const readable = { kind: dto.kind, domain: dto.domain, pii: forPartner };
      const agreementId = await this.agreements.agreementForFlow(
        m,
        dto.to,
        'task.requested',
        readable,
        dto.agreementId,
      );
      const terms = (await agreementState(m, agreementId))?.terms;
      const due = dueDate(now, dto.dueAt, terms?.sla.taskHours ?? DEFAULT_TASK_HOURS);
      if ('past' in due) {
        throw new ProblemError(422, 'DUE_DATE_PAST', 'The due date has passed', due.past);
      }
      const payload: PayloadOf<'task.requested'> = { ...readable, dueAt: due.dueAt };
      const taskId = uuidv7();
      const envelope = await this.exchange.outbox.enqueue(m, {
        to: dto.to,
        type: 'task.requested',
        agreementId,
        correlationId: taskId,
        payload: { ...payload },
      });
      const task: Task = {
        id: taskId,
        box: 'outbox',
        peer: dto.to,
        agreementId,
        kind: dto.kind,
        domain: dto.domain,
        dueAt: Date.parse(due.dueAt),
        state: 'requested',
        requestMessageId: envelope.id,
        pii: forUs,
        createdAt: now,
        updatedAt: now,
      };
      await m.insert(Task, task);
      await m.insert(TaskStep, {
        ...this.sentStep(taskId, envelope.id, 'request', staff, now),
        code: null,
        pii: null,
      });
      return this.summary(task, now);
    });
  }

  /** Accept, reject, progress, complete or cancel: checked against the task, recorded and queued together. */
  async act(taskId: string, step: StaffStep, staff: Principal) {
    const { action } = step;
    const { code, secret, message } = this.stepContent(step);
    return this.transactions.run(async (m) => {
      const task = await this.lockTask(m, taskId);
      if (!task) {
        throw new ProblemError(404, 'TASK_NOT_FOUND', 'No such task', `no task ${taskId}`);
      }
      const steps = await this.stepsOf(m, taskId);
      const side: TaskSide = task.box === 'outbox' ? 'requester' : 'performer';
      const refusal = actionRefusal(side, replayTask(steps).state, action);
      if (refusal) throw this.refusalProblem(refusal.code, refusal.detail, task.state);
      const [forPartner, forUs] = await Promise.all([
        encryptPii(secret, partnerKey(this.peers, task.peer)),
        encryptAtRest(secret, this.dataKey),
      ]);
      const outgoing = message(forPartner);
      const agreementId = await this.agreements.agreementForFlow(
        m,
        task.peer,
        outgoing.type,
        outgoing.payload,
        task.agreementId,
      );
      const envelope = await this.exchange.outbox.enqueue(m, {
        to: task.peer,
        ...outgoing,
        agreementId,
        correlationId: task.id,
        causationId: task.requestMessageId,
      });
      const replay = replayTask([...steps, { messageId: envelope.id, action }]);
      const voided = replay.void.get(envelope.id);
      // a partner clock far ahead can place a received step after ours: then ours would not count
      if (voided) throw this.refusalProblem('TASK_STATE_CONFLICT', voided, task.state);
      const now = Date.now();
      await m.insert(TaskStep, {
        ...this.sentStep(task.id, envelope.id, action, staff, now),
        code,
        pii: forUs,
      });
      await m.update(Task, { id: task.id }, { state: replay.state, updatedAt: now });
      return this.summary({ ...task, state: replay.state, updatedAt: now }, now);
    });
  }

  // ---- the partner's messages (the agreement gate has passed them) ----------

  /** task.requested: a partner asks this node to do something. */
  async onRequested(m: EntityManager, message: ReceivedMessage<'task.requested'>): Promise<void> {
    const { envelope, brokerTime } = message;
    const { payload } = envelope;
    const taskId = envelope.correlationId;
    if (!taskId) refuse('task.requested carries the task id as correlationId');
    if (await m.findOne(Task, { where: { id: taskId } })) refuse(`task ${taskId} already exists`);
    const late = receivedDueDateProblem(payload.dueAt, brokerTime);
    if (late) refuse(late);
    const pii = await encryptAtRest(message.pii, this.dataKey);
    await m.insert(Task, {
      id: taskId,
      box: 'inbox',
      peer: envelope.from,
      agreementId: envelope.agreementId as string,
      kind: payload.kind,
      domain: payload.domain,
      dueAt: Date.parse(payload.dueAt),
      state: 'requested',
      requestMessageId: envelope.id,
      pii,
      createdAt: brokerTime,
      updatedAt: brokerTime,
    });
    await m.insert(TaskStep, this.receivedStep(taskId, message, 'request', null, null));
  }

  /** Every later message of a task, from either side: it must fit the task's thread. */
  async onStep(m: EntityManager, message: ReceivedMessage<TaskStepType>): Promise<void> {
    const { envelope } = message;
    const action = actionOfType(envelope.type) as TaskAction;
    const taskId = envelope.correlationId;
    const task = taskId ? await this.lockTask(m, taskId) : null;
    if (!taskId || !task || task.peer !== envelope.from) {
      refuse(
        `${envelope.type} for task ${taskId ?? '(none)'}, which ${this.me} does not have with ${envelope.from}`,
      );
    }
    if (envelope.causationId !== task.requestMessageId) {
      refuse(`causationId must be the task's request ${task.requestMessageId}`);
    }
    if (envelope.agreementId !== task.agreementId) {
      refuse(`task ${task.id} travels under agreement ${task.agreementId}`);
    }
    const steps = await this.stepsOf(m, task.id);
    const senderSide: TaskSide = task.box === 'outbox' ? 'performer' : 'requester';
    const problem = receivedStepProblem(steps, { messageId: envelope.id, action }, senderSide);
    if (problem) refuse(problem);

    const code = stepCode(envelope);
    const pii = await encryptAtRest(message.pii, this.dataKey);
    await m.insert(TaskStep, this.receivedStep(task.id, message, action, code, pii));
    const { state } = replayTask([...steps, { messageId: envelope.id, action }]);
    await m.update(Task, { id: task.id }, { state, updatedAt: message.brokerTime });
  }

  // ---- views ----------------------------------------------------------------

  async list(query: TaskListQuery, reason: AccessReason | undefined) {
    const where = {
      ...(query.box ? { box: query.box } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(query.partner ? { peer: query.partner } : {}),
    };
    const tasks = await this.dataSource.getRepository(Task).find({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit ?? 100,
    });
    const now = Date.now();
    if (!reason) return tasks.map((t) => this.summary(t, now));
    await this.accessLog.recordReads(
      reason,
      RECORD_TYPE,
      tasks.map((t) => t.id),
    );
    return Promise.all(
      tasks.map(async (t) => ({ ...this.summary(t, now), ...(await this.requestPii(t)) })),
    );
  }

  /** Open tasks past their due date, in both boxes: whose turn it is says who is late. */
  async overdue() {
    const now = Date.now();
    const tasks = await this.dataSource.getRepository(Task).find({
      where: { state: In(OPEN_STATES), dueAt: LessThan(now) },
      order: { dueAt: 'ASC', id: 'ASC' },
    });
    return tasks.map((t) => ({
      ...this.summary(t, now),
      // an open task always waits for the performer (to accept or complete it)
      late: t.box === 'inbox' ? 'us' : 'partner',
      overdueSeconds: Math.floor((now - t.dueAt) / 1000),
    }));
  }

  /** The task with its history; personal data only with a stated purpose. */
  async get(taskId: string, reason: AccessReason | undefined) {
    const task = await this.dataSource.getRepository(Task).findOne({ where: { id: taskId } });
    if (!task) throw new ProblemError(404, 'TASK_NOT_FOUND', 'No such task', `no task ${taskId}`);
    const steps = await this.stepsOf(this.dataSource.manager, taskId);
    const replay = replayTask(steps);
    const sent = await this.dataSource.getRepository(OutboxMessage).find({
      select: { id: true, answer: true, answerReason: true },
      where: { id: In(steps.filter((s) => s.direction === 'sent').map((s) => s.messageId)) },
    });
    const delivery = new Map(sent.map((o) => [o.id, o]));
    if (reason) await this.accessLog.recordReads(reason, RECORD_TYPE, [task.id]);
    const history = await Promise.all(
      steps.map(async (s) => {
        const out = delivery.get(s.messageId);
        return {
          messageId: s.messageId,
          action: s.action,
          by: s.by,
          direction: s.direction,
          at: new Date(s.at).toISOString(),
          clock: s.direction === 'received' ? 'broker' : 'node',
          ...(s.code ? { code: s.code } : {}),
          ...(s.staffLabel ? { staff: s.staffLabel } : {}),
          ...(out
            ? {
                delivery:
                  out.answer === 'rejection'
                    ? 'rejected'
                    : out.answer === 'receipt'
                      ? 'receipted'
                      : 'pending',
                ...(out.answerReason ? { rejectionReason: out.answerReason } : {}),
              }
            : {}),
          ...(replay.void.has(s.messageId) ? { void: replay.void.get(s.messageId) } : {}),
          ...(reason && s.pii ? ((await decryptAtRest(s.pii, this.dataKey)) as object) : {}),
        };
      }),
    );
    return {
      ...this.summary(task, Date.now()),
      ...(reason ? await this.requestPii(task) : {}),
      history,
    };
  }

  // ---- helpers --------------------------------------------------------------

  private refusalProblem(
    code: 'TASK_NOT_YOURS' | 'TASK_STATE_CONFLICT',
    detail: string,
    state: TaskState,
  ): ProblemError {
    return code === 'TASK_NOT_YOURS'
      ? new ProblemError(403, code, 'The other side of the task does that', detail, { state })
      : new ProblemError(409, code, 'Not possible in the task’s state', detail, { state });
  }

  /** What a staff step puts in the message: the readable code and the encrypted text. */
  private stepContent(step: StaffStep): {
    code: string | null;
    secret: Record<string, string>;
    /** the message, given the encrypted secret */
    message: (pii: string) => StepMessage;
  } {
    const text = (key: string, value: string | undefined) =>
      value === undefined ? {} : { [key]: value };
    switch (step.action) {
      case 'accept':
        return {
          code: null,
          secret: text('note', step.dto.note),
          message: (pii) => ({ type: TASK_MESSAGE_TYPES.accept, payload: { pii } }),
        };
      case 'progress':
        return {
          code: null,
          secret: { note: step.dto.note },
          message: (pii) => ({ type: TASK_MESSAGE_TYPES.progress, payload: { pii } }),
        };
      case 'reject': {
        const { reason } = step.dto;
        return {
          code: reason,
          secret: { detail: step.dto.detail },
          message: (pii) => ({ type: TASK_MESSAGE_TYPES.reject, payload: { reason, pii } }),
        };
      }
      case 'complete': {
        const { outcome } = step.dto;
        return {
          code: outcome,
          secret: { report: step.dto.report },
          message: (pii) => ({ type: TASK_MESSAGE_TYPES.complete, payload: { outcome, pii } }),
        };
      }
      case 'cancel': {
        const { reason } = step.dto;
        return {
          code: reason,
          secret: text('detail', step.dto.detail),
          message: (pii) => ({ type: TASK_MESSAGE_TYPES.cancel, payload: { reason, pii } }),
        };
      }
    }
  }

  /** Reads the task for update: concurrent staff actions and inbox chunks serialise on it. */
  private async lockTask(m: EntityManager, taskId: string): Promise<Task | null> {
    const query = m.getRepository(Task).createQueryBuilder('t').where('t.id = :taskId', { taskId });
    if (m.connection.options.type === 'postgres') query.setLock('pessimistic_write');
    return query.getOne();
  }

  private stepsOf(m: EntityManager, taskId: string): Promise<TaskStep[]> {
    return m.find(TaskStep, { where: { taskId }, order: { at: 'ASC', messageId: 'ASC' } });
  }

  private sentStep(
    taskId: string,
    messageId: string,
    action: TaskAction,
    staff: Principal,
    at: number,
  ) {
    return {
      messageId,
      taskId,
      action,
      by: this.me,
      direction: 'sent' as const,
      staffTokenId: staff.tokenId,
      staffLabel: staff.label,
      at,
    };
  }

  private receivedStep(
    taskId: string,
    message: ReceivedMessage,
    action: TaskAction,
    code: string | null,
    pii: string | null,
  ): TaskStep {
    return {
      messageId: message.envelope.id,
      taskId,
      action,
      by: message.envelope.from,
      direction: 'received',
      code,
      pii,
      staffTokenId: null,
      staffLabel: null,
      at: message.brokerTime,
    };
  }

  private async requestPii(task: Task): Promise<TaskRequestedPiiV1> {
    return (await decryptAtRest(task.pii, this.dataKey)) as TaskRequestedPiiV1;
  }

  private summary(task: Task, now: number) {
    const [requester, performer] =
      task.box === 'outbox' ? [this.me, task.peer] : [task.peer, this.me];
    return {
      id: task.id,
      box: task.box,
      partner: task.peer,
      requester,
      performer,
      agreementId: task.agreementId,
      kind: task.kind,
      domain: task.domain,
      dueAt: utcSecond(task.dueAt),
      state: task.state,
      overdue: isOverdue(task.state, task.dueAt, now),
      requestedAt: new Date(task.createdAt).toISOString(),
      updatedAt: new Date(task.updatedAt).toISOString(),
    };
  }
}
