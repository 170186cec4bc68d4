import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { ComputeResultDto, CreateCampaignDto, EvidenceQuery } from './campaign.dto';
import { CampaignsService } from './campaigns.service';

/**
 * Evaluation campaigns (docs/evaluation.md, "Campaigns"). Running them is the
 * coordinating office's work; auditors read them to check what was published.
 */
@ApiTags('campaigns')
@Controller('campaigns')
@Roles('coordinator')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  create(@Body() dto: CreateCampaignDto, @CurrentPrincipal() principal: Principal) {
    return this.campaigns.create(dto, principal);
  }

  @Get()
  @Roles('coordinator', 'auditor')
  list() {
    return this.campaigns.list();
  }

  @Get(':id')
  @Roles('coordinator', 'auditor')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.campaigns.get(id);
  }

  /** Scores the campaign from the log as of `asOf`, stores the signed result and publishes it. */
  @Post(':id/results')
  compute(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: ComputeResultDto) {
    return this.campaigns.compute(id, dto.asOf);
  }

  /**
   * The message ids behind one indicator of one pair of a result, which the
   * published result holds only as their digest.
   */
  @Get(':id/results/:resultId/evidence')
  @Roles('coordinator', 'auditor')
  evidence(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('resultId', new ParseUUIDPipe()) resultId: string,
    @Query() query: EvidenceQuery,
  ) {
    const [evaluator, evaluated] = query.pair.split('-');
    return this.campaigns.evidence(id, resultId, { evaluator, evaluated }, query.indicator);
  }
}
