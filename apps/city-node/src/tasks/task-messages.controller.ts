import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { TasksService } from './tasks.service';

/** The partner's task messages, applied inside the inbox transaction. */
@Controller()
export class TaskMessagesController {
  constructor(private readonly tasks: TasksService) {}

  @ExchangeHandler('task.requested')
  onRequested(@Payload() message: ReceivedMessage<'task.requested'>, @Ctx() ctx: ExchangeContext) {
    return this.tasks.onRequested(ctx.manager, message);
  }

  @ExchangeHandler('task.accepted')
  onAccepted(@Payload() message: ReceivedMessage<'task.accepted'>, @Ctx() ctx: ExchangeContext) {
    return this.tasks.onStep(ctx.manager, message);
  }

  @ExchangeHandler('task.rejected')
  onRejected(@Payload() message: ReceivedMessage<'task.rejected'>, @Ctx() ctx: ExchangeContext) {
    return this.tasks.onStep(ctx.manager, message);
  }

  @ExchangeHandler('task.progress')
  onProgress(@Payload() message: ReceivedMessage<'task.progress'>, @Ctx() ctx: ExchangeContext) {
    return this.tasks.onStep(ctx.manager, message);
  }

  @ExchangeHandler('task.completed')
  onCompleted(@Payload() message: ReceivedMessage<'task.completed'>, @Ctx() ctx: ExchangeContext) {
    return this.tasks.onStep(ctx.manager, message);
  }

  @ExchangeHandler('task.cancelled')
  onCancelled(@Payload() message: ReceivedMessage<'task.cancelled'>, @Ctx() ctx: ExchangeContext) {
    return this.tasks.onStep(ctx.manager, message);
  }
}
