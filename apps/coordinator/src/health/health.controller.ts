import { Controller, Get } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '@yipanqi/http-api';
import { checkWithin, READINESS_CHECK_TIMEOUT_MS, readinessChecks } from '@yipanqi/observability';
import { DirectoryPublisher } from '../directory/directory-publisher';

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
  health() {
    return { status: 'ok', app: 'coordinator' };
  }

  @Get('live')
  @Public()
  live() {
    return this.health();
  }

  /** Readiness: the database answers and the broker answers the coordinator's certificate. */
  @Get('ready')
  @Public()
  async ready() {
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
