import { Controller, Get } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiOkResponse } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '@yipanqi/http-api';
import { checkWithin, READINESS_CHECK_TIMEOUT_MS, readinessChecks } from '@yipanqi/observability';
import { DirectoryPublisher } from '../directory/directory-publisher';
import { LivenessView, ReadinessView } from './health.views';

@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: DirectoryPublisher,
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** Liveness: the process answers (`/health` is the same, kept for existing probes). */
  @Get()
  @Public()
  @ApiOkResponse({ description: 'the process answers', type: LivenessView })
  health(): LivenessView {
    return { status: 'ok', app: 'coordinator' };
  }

  @Get('live')
  @Public()
  @ApiOkResponse({ description: 'the process answers', type: LivenessView })
  live(): LivenessView {
    return this.health();
  }

  /** Readiness: the database answers and the broker answers the coordinator's certificate. */
  @Get('ready')
  @Public()
  @ApiOkResponse({ description: 'ready to serve', type: ReadinessView })
  async ready(): Promise<ReadinessView> {
    const timeout = READINESS_CHECK_TIMEOUT_MS;
    const checks = await readinessChecks(this.terminus, [
      () => this.database.pingCheck('database', { connection: this.dataSource, timeout }),
      () =>
        checkWithin(this.indicators, 'kafka', async () => ({
          brokers: await this.publisher.brokers(),
        })),
    ]);
    return { status: 'ready', app: 'coordinator', checks };
  }
}
