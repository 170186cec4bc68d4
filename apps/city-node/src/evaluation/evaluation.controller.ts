import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import {
  PartnerParam,
  PartnerScoreQuery,
  RatePartnerDto,
  RatingsQuery,
  ScoresQuery,
} from './evaluation.dto';
import { EvaluationService } from './evaluation.service';
import { PartnerScoreView, RatingView, ScoresView } from './evaluation.views';
import { RatingsService } from './ratings.service';

/**
 * 互评: the scores of DESIGN §7 for this node and each partner, both ways,
 * with the message ids behind every figure; and the subjective ratings staff
 * give partners. Nothing here is personal data.
 */
@ApiTags('evaluation')
@Controller('evaluation')
export class EvaluationController {
  constructor(
    private readonly evaluation: EvaluationService,
    private readonly ratings: RatingsService,
  ) {}

  /** For each partner: our score of it (`given`) and its score of us (`received`), without ids. */
  @Get('scores')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the scores of the period', type: ScoresView })
  scores(@Query() query: ScoresQuery): Promise<ScoresView> {
    return this.evaluation.scores(query);
  }

  /** One direction with one partner: every indicator with the message ids it counted. */
  @Get('scores/:partner')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the score with its message ids', type: PartnerScoreView })
  partnerScore(
    @Param() { partner }: PartnerParam,
    @Query() query: PartnerScoreQuery,
  ): Promise<PartnerScoreView> {
    return this.evaluation.partnerScore(partner, query);
  }

  /** Rates a partner for a period; sends evaluation.rated. */
  @Post('ratings')
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'recorded and queued for the partner', type: RatingView })
  rate(@Body() dto: RatePartnerDto, @CurrentPrincipal() staff: Principal): Promise<RatingView> {
    return this.ratings.rate(dto, staff);
  }

  /** Ratings this node gave (default) or received, newest first. */
  @Get('ratings')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [RatingView] })
  list(@Query() query: RatingsQuery): Promise<RatingView[]> {
    return this.ratings.list(query);
  }

  @ExchangeHandler('evaluation.rated')
  onRated(@Payload() message: ReceivedMessage<'evaluation.rated'>, @Ctx() ctx: ExchangeContext) {
    return this.ratings.receive(ctx.manager, message);
  }
}
