import { Body, Controller, Get, HttpCode, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { Roles } from '@yipanqi/http-api';
import { NoticesService } from './notices.service';
import { SendNoticeDto } from './send-notice.dto';

@Controller('notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Post()
  @Roles('coordinator')
  @HttpCode(202)
  send(@Body() dto: SendNoticeDto) {
    return this.notices.send(dto);
  }

  @Get()
  @Roles('coordinator', 'auditor')
  list(
    @Query('direction') direction: 'sent' | 'received' = 'received',
    @Query('limit', new ParseIntPipe({ optional: true })) limit = 100,
  ) {
    return this.notices.list(direction === 'sent' ? 'sent' : 'received', Math.min(limit, 1000));
  }

  @ExchangeHandler('notice')
  onNotice(@Payload() message: ReceivedMessage, @Ctx() ctx: ExchangeContext) {
    return this.notices.receive(ctx.manager, message);
  }
}
