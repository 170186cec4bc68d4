import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { Roles } from '@yipanqi/http-api';
import { AccessPurpose, AccessReason, OptionalAccessPurpose } from '../access-log/access-log';
import {
  DepartureDto,
  RegisterArrivalDto,
  RegisterArrivalsDto,
  SearchMigrantsQuery,
  UpdateMigrantDto,
} from './migrant.dto';
import { MigrantsService } from './migrants.service';

@Controller('migrants')
export class MigrantsController {
  constructor(private readonly migrants: MigrantsService) {}

  /** 流入登记: registers the person here and tells the outflow node (migrant.arrival). */
  @Post('arrivals')
  @Roles('coordinator')
  @HttpCode(201)
  registerArrival(@Body() dto: RegisterArrivalDto) {
    return this.migrants.registerArrival(dto);
  }

  /**
   * 批量流入登记: up to 1,000 arrivals in one transaction, told to each
   * outflow node in bulk (migrant.arrival.bulk). Each row is checked alone:
   * the answer lists every row, registered or refused with its problem code.
   */
  @Post('arrivals/bulk')
  @Roles('coordinator')
  @HttpCode(200)
  async registerArrivals(@Body() dto: RegisterArrivalsDto) {
    return { results: await this.migrants.registerArrivals(dto) };
  }

  /** 流出: the person left; tells the outflow node, and the next node when we have an agreement with it. */
  @Post(':id/departure')
  @Roles('coordinator')
  @HttpCode(200)
  depart(@Param('id') id: string, @Body() dto: DepartureDto) {
    return this.migrants.depart(id, dto);
  }

  /** Changed circumstances, told to the partner that holds the other side (migrant.updated). */
  @Patch(':id')
  @Roles('coordinator')
  update(@Param('id') id: string, @Body() dto: UpdateMigrantDto) {
    return this.migrants.update(id, dto);
  }

  /**
   * Records without personal data; `reveal=true`, `idNumber` or `name` need
   * X-Access-Purpose and log every record returned.
   */
  @Get()
  @Roles('coordinator', 'auditor')
  search(@Query() query: SearchMigrantsQuery, @OptionalAccessPurpose() reason?: AccessReason) {
    return this.migrants.search(query, reason);
  }

  /** The record with the person; needs X-Access-Purpose and is logged. */
  @Get(':id')
  @Roles('coordinator', 'auditor')
  get(@Param('id') id: string, @AccessPurpose() reason: AccessReason) {
    return this.migrants.get(id, reason);
  }

  @ExchangeHandler('migrant.arrival')
  onArrival(@Payload() message: ReceivedMessage<'migrant.arrival'>, @Ctx() ctx: ExchangeContext) {
    return this.migrants.onArrival(ctx.manager, message);
  }

  @ExchangeHandler('migrant.arrival.bulk')
  onArrivals(
    @Payload() message: ReceivedMessage<'migrant.arrival.bulk'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.migrants.onArrivals(ctx.manager, message);
  }

  @ExchangeHandler('migrant.departure')
  onDeparture(
    @Payload() message: ReceivedMessage<'migrant.departure'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.migrants.onDeparture(ctx.manager, message);
  }

  @ExchangeHandler('migrant.updated')
  onUpdated(@Payload() message: ReceivedMessage<'migrant.updated'>, @Ctx() ctx: ExchangeContext) {
    return this.migrants.onUpdated(ctx.manager, message);
  }
}
