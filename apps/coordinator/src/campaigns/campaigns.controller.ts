import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { ComputeResultDto, CreateCampaignDto, EvidenceQuery } from './campaign.dto';
import {
  CampaignResultView,
  CampaignView,
  EvidenceView,
  VerdictCountsView,
} from './campaign.views';
import { CampaignsService } from './campaigns.service';

/**
 * Evaluation campaigns (docs/evaluation.md, "Campaigns"). Running them is the
 * coordinating office's work; auditors read them to check what was published.
 */
@ApiTags('campaigns')
// results name it only inside a map (`rejections`), which the generator does not follow
@ApiExtraModels(VerdictCountsView)
@Controller('campaigns')
@Roles('coordinator')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @ApiCreatedResponse({ description: 'the campaign, not yet computed', type: CampaignView })
  create(
    @Body() dto: CreateCampaignDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CampaignView> {
    return this.campaigns.create(dto, principal);
  }

  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'every campaign with its latest result', type: [CampaignView] })
  list(): Promise<CampaignView[]> {
    return this.campaigns.list();
  }

  @Get(':id')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the campaign with its latest result', type: CampaignView })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<CampaignView> {
    return this.campaigns.get(id);
  }

  /** Scores the campaign from the log as of `asOf`, stores the signed result and publishes it. */
  @Post(':id/results')
  @ApiCreatedResponse({ description: 'the signed result, published', type: CampaignResultView })
  compute(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ComputeResultDto,
  ): Promise<CampaignResultView> {
    return this.campaigns.compute(id, dto.asOf);
  }

  /**
   * The message ids behind one indicator of one pair of a result, which the
   * published result holds only as their digest.
   */
  @Get(':id/results/:resultId/evidence')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the message ids behind the indicator', type: EvidenceView })
  evidence(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('resultId', new ParseUUIDPipe()) resultId: string,
    @Query() query: EvidenceQuery,
  ): Promise<EvidenceView> {
    const [evaluator, evaluated] = query.pair.split('-');
    return this.campaigns.evidence(id, resultId, { evaluator, evaluated }, query.indicator);
  }
}
