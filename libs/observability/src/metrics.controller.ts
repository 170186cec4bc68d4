import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { Public } from '@yipanqi/http-api';
import { AppMetrics } from './app-metrics';

/**
 * `/metrics` (the path PrometheusModule sets) from this app's own registry,
 * not prom-client's global one. Public, like `/health`: see docs/operations.md.
 */
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly appMetrics: AppMetrics) {
    super();
  }

  @Get()
  @Public()
  @ApiExcludeEndpoint()
  override async index(
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): Promise<string> {
    response.header('Content-Type', this.appMetrics.registry.contentType);
    return this.appMetrics.metrics();
  }
}
