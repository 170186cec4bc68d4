import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@yipanqi/http-api';
import {
  AmendAgreementDto,
  AnswerOfferDto,
  DraftAgreementDto,
  LifecycleDto,
} from './agreement.dto';
import { AgreementSummaryView, AgreementVerificationView, AgreementView } from './agreement.views';
import { AgreementsService } from './agreements.service';

const Id = () => Param('id', new ParseUUIDPipe());

/** 区域协作协议: staff draft, propose, answer, amend, suspend, resume and terminate agreements. */
@ApiTags('agreements')
@Controller('agreements')
@Roles('coordinator')
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  /** A draft with a partner; nothing is sent until it is proposed. */
  @Post()
  @ApiCreatedResponse({ description: 'the draft', type: AgreementView })
  draft(@Body() dto: DraftAgreementDto): Promise<AgreementView> {
    return this.agreements.draft(dto);
  }

  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [AgreementSummaryView] })
  list(): Promise<AgreementSummaryView[]> {
    return this.agreements.list();
  }

  /** Status, the text in force, every version with its signatures, and the history. */
  @Get(':id')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ type: AgreementView, description: 'the agreement' })
  get(@Id() id: string): Promise<AgreementView> {
    return this.agreements.get(id);
  }

  /** Checks both parties' signatures of the version in force. */
  @Get(':id/verification')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'the signatures, checked', type: AgreementVerificationView })
  verify(@Id() id: string): Promise<AgreementVerificationView> {
    return this.agreements.verify(id);
  }

  @Post(':id/propose')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  propose(@Id() id: string): Promise<AgreementView> {
    return this.agreements.propose(id);
  }

  /** Signs the partner's proposal or amendment; `hash` is the one shown by GET. */
  @Post(':id/countersign')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  countersign(@Id() id: string, @Body() dto: AnswerOfferDto): Promise<AgreementView> {
    return this.agreements.countersign(id, dto);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  decline(@Id() id: string, @Body() dto: AnswerOfferDto): Promise<AgreementView> {
    return this.agreements.decline(id, dto);
  }

  /** Offers the next version; it takes over once the partner countersigns it. */
  @Post(':id/amendments')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  amend(@Id() id: string, @Body() dto: AmendAgreementDto): Promise<AgreementView> {
    return this.agreements.amend(id, dto);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  suspend(@Id() id: string, @Body() dto: LifecycleDto): Promise<AgreementView> {
    return this.agreements.lifecycle(id, 'suspend', dto);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  resume(@Id() id: string, @Body() dto: LifecycleDto): Promise<AgreementView> {
    return this.agreements.lifecycle(id, 'resume', dto);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the agreement after the step', type: AgreementView })
  terminate(@Id() id: string, @Body() dto: LifecycleDto): Promise<AgreementView> {
    return this.agreements.lifecycle(id, 'terminate', dto);
  }
}
