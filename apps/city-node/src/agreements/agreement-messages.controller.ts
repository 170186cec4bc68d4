import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { AgreementsService } from './agreements.service';

/** The partner's agreement messages, applied in the inbox transaction. */
@Controller()
export class AgreementMessagesController {
  constructor(private readonly agreements: AgreementsService) {}

  @ExchangeHandler('agreement.proposed')
  proposed(@Payload() message: ReceivedMessage<'agreement.proposed'>, @Ctx() ctx: ExchangeContext) {
    return this.agreements.onProposed(ctx.manager, message);
  }

  @ExchangeHandler('agreement.amended')
  amended(@Payload() message: ReceivedMessage<'agreement.amended'>, @Ctx() ctx: ExchangeContext) {
    return this.agreements.onAmended(ctx.manager, message);
  }

  @ExchangeHandler('agreement.countersigned')
  countersigned(
    @Payload() message: ReceivedMessage<'agreement.countersigned'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.agreements.onCountersigned(ctx.manager, message);
  }

  @ExchangeHandler('agreement.declined')
  declined(@Payload() message: ReceivedMessage<'agreement.declined'>, @Ctx() ctx: ExchangeContext) {
    return this.agreements.onDeclined(ctx.manager, message);
  }

  @ExchangeHandler('agreement.suspended')
  suspended(
    @Payload() message: ReceivedMessage<'agreement.suspended'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.agreements.onLifecycle(ctx.manager, message, 'suspend');
  }

  @ExchangeHandler('agreement.resumed')
  resumed(@Payload() message: ReceivedMessage<'agreement.resumed'>, @Ctx() ctx: ExchangeContext) {
    return this.agreements.onLifecycle(ctx.manager, message, 'resume');
  }

  @ExchangeHandler('agreement.terminated')
  terminated(
    @Payload() message: ReceivedMessage<'agreement.terminated'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.agreements.onLifecycle(ctx.manager, message, 'terminate');
  }
}
