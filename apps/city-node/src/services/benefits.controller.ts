import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { Roles } from '@yipanqi/http-api';
import { AccessPurpose, AccessReason } from '../access-log/access-log';
import { QueuedMessageView } from '../common.views';
import { BenefitsService } from './benefits.service';
import { GrantEntitlementDto, ListEntitlementsQuery } from './service.dto';
import { EntitlementView, RevealedEntitlementView } from './service.views';

/**
 * 奖励扶助: benefit entitlements the outflow node grants and the inflow node
 * pays (by reporting a benefit-payment service that names the entitlement).
 */
@ApiTags('benefits')
@Controller('benefits/entitlements')
export class BenefitsController {
  constructor(private readonly benefits: BenefitsService) {}

  /** Grants a benefit for the inflow node `to` to pay (benefit.entitlement). */
  @Post()
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: 'recorded and queued for the partner',
    type: QueuedMessageView,
  })
  grant(@Body() dto: GrantEntitlementDto): Promise<QueuedMessageView> {
    return this.benefits.grant(dto);
  }

  /** Entitlements granted and received, newest first, without personal data. */
  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [EntitlementView] })
  list(@Query() query: ListEntitlementsQuery): Promise<EntitlementView[]> {
    return this.benefits.list(query);
  }

  /** One entitlement with the person: needs X-Access-Purpose, access-logged. */
  @Get(':id')
  @Roles('coordinator')
  @ApiOkResponse({ description: 'the entitlement with the person', type: RevealedEntitlementView })
  get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @AccessPurpose() reason: AccessReason,
  ): Promise<RevealedEntitlementView> {
    return this.benefits.get(id, reason);
  }

  @ExchangeHandler('benefit.entitlement')
  onEntitlement(
    @Payload() message: ReceivedMessage<'benefit.entitlement'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.benefits.onEntitlement(ctx.manager, message);
  }
}
