import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { AccessPurpose, AccessReason, RevealPurpose } from '../access-log/access-log';
import { NoticesService } from './notices.service';
import { ListedNoticeView, NoticeSentView, NoticeView, RevealedNoticeView } from './notice.views';
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
  @ApiAcceptedResponse({ description: 'recorded and queued for the partner', type: NoticeSentView })
  send(@Body() dto: SendNoticeDto): Promise<NoticeSentView> {
    return this.notices.send(dto);
  }

  /**
   * Received (default) or sent notices, newest first, without text; with
   * `reveal=true` and X-Access-Purpose each with its title (access-logged).
   */
  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({
    description: 'newest first; with reveal=true each with its title',
    type: [ListedNoticeView],
  })
  list(
    @Query() query: ListNoticesQuery,
    @RevealPurpose() reveal: AccessReason | undefined,
  ): Promise<ListedNoticeView[]> {
    return this.notices.list(query, reveal);
  }

  /** One notice with its title and text: needs X-Access-Purpose, access-logged. */
  @Get(':id')
  @Roles('coordinator')
  @ApiOkResponse({ description: 'the notice with its title and text', type: RevealedNoticeView })
  get(@Id() id: string, @AccessPurpose() reason: AccessReason): Promise<RevealedNoticeView> {
    return this.notices.get(id, reason);
  }

  /** Records that staff read a received notice (who and when), once. Nothing is sent. */
  @Post(':id/acknowledge')
  @Roles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the notice, acknowledged', type: NoticeView })
  acknowledge(@Id() id: string, @CurrentPrincipal() principal: Principal): Promise<NoticeView> {
    return this.notices.acknowledge(id, principal);
  }

  @ExchangeHandler('notice')
  onNotice(@Payload() message: ReceivedMessage<'notice'>, @Ctx() ctx: ExchangeContext) {
    return this.notices.receive(ctx.manager, message);
  }
}
