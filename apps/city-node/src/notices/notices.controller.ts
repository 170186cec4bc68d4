import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiTags } from '@nestjs/swagger';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { AccessPurpose, AccessReason, RevealPurpose } from '../access-log/access-log';
import { NoticesService } from './notices.service';
import { ListNoticesQuery, SendNoticeDto } from './send-notice.dto';

const Id = () => Param('id', new ParseUUIDPipe());

/** 信息通报: one-way notices, answered on the wire by a receipt and read by staff here. */
@ApiTags('notices')
@Controller('notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Post()
  @Roles('coordinator')
  @HttpCode(202)
  send(@Body() dto: SendNoticeDto) {
    return this.notices.send(dto);
  }

  /**
   * Received (default) or sent notices, newest first, without text; with
   * `reveal=true` and X-Access-Purpose each with its title (access-logged).
   */
  @Get()
  @Roles('coordinator', 'auditor')
  list(@Query() query: ListNoticesQuery, @RevealPurpose() reveal: AccessReason | undefined) {
    return this.notices.list(query, reveal);
  }

  /** One notice with its title and text: needs X-Access-Purpose, access-logged. */
  @Get(':id')
  @Roles('coordinator')
  get(@Id() id: string, @AccessPurpose() reason: AccessReason) {
    return this.notices.get(id, reason);
  }

  /** Records that staff read a received notice (who and when), once. Nothing is sent. */
  @Post(':id/acknowledge')
  @Roles('coordinator')
  @HttpCode(200)
  acknowledge(@Id() id: string, @CurrentPrincipal() principal: Principal) {
    return this.notices.acknowledge(id, principal);
  }

  @ExchangeHandler('notice')
  onNotice(@Payload() message: ReceivedMessage<'notice'>, @Ctx() ctx: ExchangeContext) {
    return this.notices.receive(ctx.manager, message);
  }
}
