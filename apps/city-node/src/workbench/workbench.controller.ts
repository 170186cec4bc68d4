import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProblemError, Public } from '@yipanqi/http-api';
import {
  APP_ROUTE,
  WORKBENCH_CSP,
  workbenchDir,
  WorkbenchFile,
  workbenchFiles,
} from './workbench-files';

/**
 * The staff workbench (docs/workbench.md): the single-page app vite builds.
 * Its files hold no data, so they are public; everything it shows comes
 * through the guarded API with the token staff paste in.
 */
@Controller('workbench')
@ApiExcludeController()
export class WorkbenchController {
  private readonly dir = workbenchDir();
  /** read when first asked, so a node started before a build still finds the files */
  private files: Map<string, WorkbenchFile> | undefined;

  @Get()
  @Public()
  page(@Res() res: ServerResponse): Promise<void> {
    return this.send(res, 'index.html');
  }

  @Get('*path')
  @Public()
  file(@Param('path') path: string[], @Res() res: ServerResponse): Promise<void> {
    const name = path.join('/');
    if (this.built().has(name)) return this.send(res, name);
    // the app's own routes (a reload of /workbench/inbox) get the page, which routes them
    if (APP_ROUTE.test(name)) return this.send(res, 'index.html');
    throw new ProblemError(404, 'NOT_FOUND', 'Not found', `the workbench has no file ${name}`);
  }

  private built(): Map<string, WorkbenchFile> {
    if (!this.files?.has('index.html')) this.files = workbenchFiles(this.dir);
    return this.files;
  }

  private async send(res: ServerResponse, name: string): Promise<void> {
    const file = this.built().get(name);
    if (!file) {
      throw new ProblemError(
        404,
        'NOT_FOUND',
        'Not found',
        name === 'index.html'
          ? 'the workbench is not built: run npm run build'
          : `the workbench has no file ${name}`,
      );
    }
    const body = await readFile(file.file);
    res.setHeader('content-type', file.contentType);
    res.setHeader('content-security-policy', WORKBENCH_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader(
      'cache-control',
      file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.end(body);
  }
}
