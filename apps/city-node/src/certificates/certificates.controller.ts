import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApiAcceptedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ExchangeContext, ExchangeHandler, ReceivedMessage } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, Roles } from '@yipanqi/http-api';
import { AccessPurpose, AccessReason, RevealPurpose } from '../access-log/access-log';
import {
  AnswerVerificationDto,
  CertificateListQuery,
  IssueCertificateDto,
  RequestVerificationDto,
  VerificationListQuery,
  VerificationQueueQuery,
} from './certificates.dto';
import {
  CertificateIssuedView,
  ListedCertificateView,
  RevealedCertificateView,
  VerificationRequestedView,
  VerificationView,
} from './certificate.views';
import { CertificatesService } from './certificates.service';
import { VerificationsService } from './verifications.service';

/**
 * 婚育证明: issued by the outflow node, verified for the inflow node. The
 * verification routes come before `GET /certificates/:id` so that
 * `verifications` is never taken for a certificate id.
 */
@Controller('certificates')
export class CertificatesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly verifications: VerificationsService,
  ) {}

  /** Issue a certificate to the inflow node where its holder lives (→ `certificate.issued`). */
  @Post()
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: 'issued and queued for the partner',
    type: CertificateIssuedView,
  })
  issue(@Body() dto: IssueCertificateDto): Promise<CertificateIssuedView> {
    return this.certificates.issue(dto);
  }

  /** Ask the outflow node whether a presented certificate holds (→ `certificate.verify.requested`). */
  @Post('verifications')
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: 'recorded and queued for the issuer',
    type: VerificationRequestedView,
  })
  requestVerification(@Body() dto: RequestVerificationDto): Promise<VerificationRequestedView> {
    return this.verifications.request(dto);
  }

  /** Verifications asked (`sent`) or answered (`received`, the default) by this node. */
  @Get('verifications')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [VerificationView] })
  listVerifications(
    @Query() query: VerificationListQuery,
    @RevealPurpose() reveal: AccessReason | undefined,
  ): Promise<VerificationView[]> {
    return this.verifications.list(query, reveal);
  }

  /** Received verifications waiting for staff, by due time. */
  @Get('verifications/queue')
  @Roles('coordinator')
  @ApiOkResponse({ description: 'the most urgent first', type: [VerificationView] })
  verificationQueue(
    @Query() query: VerificationQueueQuery,
    @RevealPurpose() reveal: AccessReason | undefined,
  ): Promise<VerificationView[]> {
    return this.verifications.queue(query, reveal);
  }

  /** Staff's answer to a queued verification (→ `certificate.verify.answered`). */
  @Post('verifications/:id/answer')
  @Roles('coordinator')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description: 'answered; the answer is queued for the partner',
    type: VerificationView,
  })
  answerVerification(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AnswerVerificationDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<VerificationView> {
    return this.verifications.answer(id, dto, principal);
  }

  /** Certificates received (the default) or issued; personal data only with `reveal=true`. */
  @Get()
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [ListedCertificateView] })
  list(
    @Query() query: CertificateListQuery,
    @RevealPurpose() reveal: AccessReason | undefined,
  ): Promise<ListedCertificateView[]> {
    return this.certificates.list(query, reveal);
  }

  /** One certificate with number, holder and details (needs X-Access-Purpose; logged). */
  @Get(':id')
  @Roles('coordinator')
  @ApiOkResponse({ description: 'the certificate with its holder', type: RevealedCertificateView })
  get(
    @Param('id', ParseUUIDPipe) id: string,
    @AccessPurpose() reason: AccessReason,
  ): Promise<RevealedCertificateView> {
    return this.certificates.get(id, reason);
  }

  @ExchangeHandler('certificate.issued')
  onIssued(@Payload() message: ReceivedMessage<'certificate.issued'>, @Ctx() ctx: ExchangeContext) {
    return this.certificates.receive(ctx.manager, message);
  }

  @ExchangeHandler('certificate.verify.requested')
  onVerificationRequested(
    @Payload() message: ReceivedMessage<'certificate.verify.requested'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.verifications.onRequested(ctx.manager, message);
  }

  @ExchangeHandler('certificate.verify.answered')
  onVerificationAnswered(
    @Payload() message: ReceivedMessage<'certificate.verify.answered'>,
    @Ctx() ctx: ExchangeContext,
  ) {
    return this.verifications.onAnswered(ctx.manager, message);
  }
}
