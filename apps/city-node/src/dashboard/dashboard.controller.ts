import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProblemError, Public } from '@yipanqi/http-api';
import { chartJsDir, DASHBOARD_CSP, dashboardAssets } from './dashboard-assets';

/**
 * The staff dashboard: a static page whose script reads the node's API with
 * the bearer token staff paste in. The page and its scripts hold no data, so
 * they are public; every figure on it comes through the guarded API.
 */
@Controller('dashboard')
@ApiExcludeController()
export class DashboardController {
  private readonly assets = dashboardAssets(join(__dirname, 'public'), chartJsDir());

  @Get()
  @Public()
  page(@Res() res: ServerResponse): Promise<void> {
    return this.send(res, 'index.html');
  }

  @Get(':asset')
  @Public()
  asset(@Param('asset') name: string, @Res() res: ServerResponse): Promise<void> {
    return this.send(res, name);
  }

  /** Read whole (the largest file is Chart.js, ~200 KB), so a failure is still a problem+json answer. */
  private async send(res: ServerResponse, name: string): Promise<void> {
    const asset = this.assets.get(name);
    if (!asset) {
      throw new ProblemError(404, 'NOT_FOUND', 'Not found', `the dashboard has no file ${name}`);
    }
    const body = await readFile(asset.file);
    res.setHeader('content-type', asset.contentType);
    res.setHeader('content-security-policy', DASHBOARD_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    res.end(body);
  }
}
