import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { AccessReason, RevealPurpose } from '../access-log/access-log';
import {
  AcceptTaskDto,
  CancelTaskDto,
  CompleteTaskDto,
  ProgressTaskDto,
  RejectTaskDto,
  RequestTaskDto,
  RevealQuery,
  TaskListQuery,
} from './task.dto';
import { OverdueTaskView, RevealedTaskView, TaskDetailView, TaskView } from './task.views';
import { TasksService } from './tasks.service';

const Id = () => Param('id', new ParseUUIDPipe());

/**
 * 协查 / 委托事项: staff ask a partner to do something by a due date, and
 * answer what partners ask of them. Personal data (subject, instructions,
 * notes, reports) only with `?reveal=true` and an X-Access-Purpose.
 */
@ApiTags('tasks')
@Controller('tasks')
@Roles('coordinator')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** Asks the partner `to` to do something; sends task.requested. */
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'recorded and queued for the partner', type: TaskView })
  request(@Body() dto: RequestTaskDto, @CurrentPrincipal() staff: Principal): Promise<TaskView> {
    return this.tasks.request(dto, staff);
  }

  /** inbox: what partners asked of us; outbox: what we asked of partners. */
  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [RevealedTaskView] })
  list(
    @Query() query: TaskListQuery,
    @RevealPurpose() reason?: AccessReason,
  ): Promise<RevealedTaskView[]> {
    return this.tasks.list(query, reason);
  }

  /** Open tasks past their due date, in both boxes, with who is late. */
  @Get('overdue')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'soonest due first', type: [OverdueTaskView] })
  overdue(): Promise<OverdueTaskView[]> {
    return this.tasks.overdue();
  }

  /** The task and its history: who did what when (broker time for the partner's steps). */
  @Get(':id')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the task with its history', type: TaskDetailView })
  get(
    @Id() id: string,
    @Query() _query: RevealQuery,
    @RevealPurpose() reason?: AccessReason,
  ): Promise<TaskDetailView> {
    return this.tasks.get(id, reason);
  }

  /** The performer takes the task on. */
  @Post(':id/accept')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the task after the step', type: TaskView })
  accept(
    @Id() id: string,
    @Body() dto: AcceptTaskDto,
    @CurrentPrincipal() staff: Principal,
  ): Promise<TaskView> {
    return this.tasks.act(id, { action: 'accept', dto }, staff);
  }

  /** The performer declines the task, with a reason. */
  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the task after the step', type: TaskView })
  reject(
    @Id() id: string,
    @Body() dto: RejectTaskDto,
    @CurrentPrincipal() staff: Principal,
  ): Promise<TaskView> {
    return this.tasks.act(id, { action: 'reject', dto }, staff);
  }

  /** The performer reports progress on an accepted task. */
  @Post(':id/progress')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the task after the step', type: TaskView })
  progress(
    @Id() id: string,
    @Body() dto: ProgressTaskDto,
    @CurrentPrincipal() staff: Principal,
  ): Promise<TaskView> {
    return this.tasks.act(id, { action: 'progress', dto }, staff);
  }

  /** The performer reports the task done, with its outcome. */
  @Post(':id/complete')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the task after the step', type: TaskView })
  complete(
    @Id() id: string,
    @Body() dto: CompleteTaskDto,
    @CurrentPrincipal() staff: Principal,
  ): Promise<TaskView> {
    return this.tasks.act(id, { action: 'complete', dto }, staff);
  }

  /** The requester withdraws the task before it ends. */
  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the task after the step', type: TaskView })
  cancel(
    @Id() id: string,
    @Body() dto: CancelTaskDto,
    @CurrentPrincipal() staff: Principal,
  ): Promise<TaskView> {
    return this.tasks.act(id, { action: 'cancel', dto }, staff);
  }
}
