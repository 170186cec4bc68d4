import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
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
import {
  ArrivalRegisteredView,
  BulkArrivalsView,
  DepartureView,
  MigrantPageView,
  MigrantUpdatedView,
  RevealedMigrantView,
} from './migrant.views';
import { MigrantsService } from './migrants.service';

@Controller('migrants')
export class MigrantsController {
  constructor(private readonly migrants: MigrantsService) {}

  /** 流入登记: registers the person here and tells the outflow node (migrant.arrival). */
  @Post('arrivals')
  @Roles('coordinator')
  @HttpCode(201)
  @ApiCreatedResponse({
    description: 'registered; the outflow node is told',
    type: ArrivalRegisteredView,
  })
  registerArrival(@Body() dto: RegisterArrivalDto): Promise<ArrivalRegisteredView> {
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
  @ApiOkResponse({ description: 'what became of each row', type: BulkArrivalsView })
  async registerArrivals(@Body() dto: RegisterArrivalsDto): Promise<BulkArrivalsView> {
    return { results: await this.migrants.registerArrivals(dto) };
  }

  /** 流出: the person left; tells the outflow node, and the next node when we have an agreement with it. */
  @Post(':id/departure')
  @Roles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ description: 'departed; who was told', type: DepartureView })
  depart(@Param('id') id: string, @Body() dto: DepartureDto): Promise<DepartureView> {
    return this.migrants.depart(id, dto);
  }

  /** Changed circumstances, told to the partner that holds the other side (migrant.updated). */
  @Patch(':id')
  @Roles('coordinator')
  @ApiOkResponse({
    description: 'what changed, and the message that tells the partner',
    type: MigrantUpdatedView,
  })
  update(@Param('id') id: string, @Body() dto: UpdateMigrantDto): Promise<MigrantUpdatedView> {
    return this.migrants.update(id, dto);
  }

  /**
   * Records without personal data; `reveal=true`, `idNumber` or `name` need
   * X-Access-Purpose and log every record returned.
   */
  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'one page of records', type: MigrantPageView })
  search(
    @Query() query: SearchMigrantsQuery,
    @OptionalAccessPurpose() reason?: AccessReason,
  ): Promise<MigrantPageView> {
    return this.migrants.search(query, reason);
  }

  /** The record with the person; needs X-Access-Purpose and is logged. */
  @Get(':id')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the record with the person', type: RevealedMigrantView })
  get(
    @Param('id') id: string,
    @AccessPurpose() reason: AccessReason,
  ): Promise<RevealedMigrantView> {
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
