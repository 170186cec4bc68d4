import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, ProblemError, Roles } from '@yipanqi/http-api';
import { ImportReportView, ImportView } from './campaign-import.dto';
import { CampaignImports, importTooLarge } from './campaign-imports.service';
import { MAX_IMPORT_BYTES } from './import-rules';

@ApiTags('campaign imports')
@Controller()
export class CampaignImportsController {
  constructor(private readonly imports: CampaignImports) {}

  /**
   * Uploads a campaign file of arrivals (CSV, UTF-8, header row; see
   * docs/campaign-import.md). 202 with a new import, which goes on after the
   * answer; 200 with the existing import when the campaign already has this
   * file. Follow it at `GET /imports/{id}`.
   */
  @Post('campaigns/:campaignId/imports')
  @Roles('coordinator')
  @HttpCode(202)
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiAcceptedResponse({
    description: 'a new import, which goes on after the answer',
    type: ImportView,
  })
  @ApiOkResponse({
    description: 'the existing import: the campaign already has this file',
    type: ImportView,
  })
  async upload(
    @Param('campaignId') campaignId: string,
    @Req() req: IncomingMessage,
    @Res({ passthrough: true }) res: ServerResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ImportView> {
    assertCsv(req.headers['content-type']);
    // the rest of a refused body is not read: close the connection after the answer
    const refuse = (problem: ProblemError) => {
      res.setHeader('Connection', 'close');
      return problem;
    };
    if (Number(req.headers['content-length']) > MAX_IMPORT_BYTES) throw refuse(importTooLarge());
    const { created, view } = await this.imports
      .upload(campaignId, requestBody(req), principal)
      .catch((err: unknown) => {
        throw err instanceof ProblemError && !req.complete ? refuse(err) : err;
      });
    res.statusCode = created ? 202 : 200;
    res.setHeader('Location', `/imports/${view.id}`);
    return view;
  }

  /** A campaign's imports, newest first. */
  @Get('campaigns/:campaignId/imports')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'newest first', type: [ImportView] })
  list(@Param('campaignId') campaignId: string): Promise<ImportView[]> {
    return this.imports.list(campaignId);
  }

  /** Where an import stands: status, row counts, progress. */
  @Get('imports/:id')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: 'where the import stands', type: ImportView })
  view(@Param('id') id: string): Promise<ImportView> {
    return this.imports.view(id);
  }

  /** The import's findings: row, column, code and message, never the value (JSON only). */
  @Get('imports/:id/report')
  @Roles('coordinator', 'auditor')
  @ApiOkResponse({ description: "the import's findings", type: ImportReportView })
  report(@Param('id') id: string): Promise<ImportReportView> {
    return this.imports.report(id);
  }
}

/** `text/csv`, and if a charset is named, UTF-8. */
function assertCsv(contentType: string | undefined): void {
  const [type, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  const utf8 = charset === undefined || ['utf-8', 'utf8', '"utf-8"'].includes(charset);
  if (type !== 'text/csv' || !utf8) {
    throw new ProblemError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the file as text/csv',
      'the body must be the CSV file itself with Content-Type: text/csv (charset utf-8 if named)',
    );
  }
}

/**
 * The request body as a stream the import may stop reading early (a file
 * over the limit) without destroying the socket the answer travels on; a
 * client that goes away mid-upload ends it with an error.
 */
function requestBody(req: IncomingMessage): Readable {
  const body = new PassThrough();
  req.once('error', (err) => body.destroy(err));
  req.once('close', () => {
    if (!req.complete) body.destroy(new Error('the upload was cut off'));
  });
  body.once('error', () => req.unpipe(body));
  return req.pipe(body);
}
