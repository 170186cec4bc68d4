import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { AccessPurpose, AccessReason } from '../access-log/access-log';
import { AcknowledgeServiceDto, ListServicesQuery, ReportServiceDto } from './service.dto';
import { RevealedServiceView, ServiceView } from './service.views';
import { QueuedMessageView } from '../common.views';
import { ServicesService } from './services.service';

const Id = () => Param('id', new ParseUUIDPipe());

/** 服务互动: services delivered on a partner's behalf, and the partner's acknowledgement. */
@ApiTags('services')
@Controller('services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  /** Reports a service this node delivered for the partner `to` (service.delivered). */
  @Post()
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: 'recorded and queued for the partner',
    type: QueuedMessageView,
  })
  report(@Body() dto: ReportServiceDto): Promise<QueuedMessageView> {
    return this.services.report(dto);
  }

  /** Services delivered and received, newest first, without personal data. */
  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [ServiceView] })
  list(@Query() query: ListServicesQuery): Promise<ServiceView[]> {
    return this.services.list(query);
  }

  /** One service with the person, details and remark: needs X-Access-Purpose, access-logged. */
  @Get(':id')
  @Roles('coordinator')
  @ApiOkResponse({ description: 'the service with the person', type: RevealedServiceView })
  get(@Id() id: string, @AccessPurpose() reason: AccessReason): Promise<RevealedServiceView> {
    return this.services.get(id, reason);
  }

  /** Acknowledges a partner's service report (service.acknowledged), once. */
  @Post(':id/acknowledge')
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: 'acknowledged; the acknowledgement is queued for the partner',
    type: QueuedMessageView,
  })
  acknowledge(
    @Id() id: string,
    @Body() dto: AcknowledgeServiceDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<QueuedMessageView> {
    return this.services.acknowledge(id, dto, principal);
  }

  @ExchangeHandler('service.delivered')
  onDelivered(
    @Payload() message: ReceivedMessage<'service.delivered'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.services.onDelivered(ctx.manager, message);
  }

  @ExchangeHandler('service.acknowledged')
  onAcknowledged(
    @Payload() message: ReceivedMessage<'service.acknowledged'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.services.onAcknowledged(ctx.manager, message);
  }
}
