import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiOkResponse } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DirectoryPeerKeys, ExchangeNode, MonitorStore } from '@yipanqi/exchange';
import { Public } from '@yipanqi/http-api';
import { checkWithin, READINESS_CHECK_TIMEOUT_MS, readinessChecks } from '@yipanqi/observability';
import { CITY_NODE_CONFIG, PEER_KEYS } from '../tokens';
import type { CityNodeConfig } from '../city-node.config';
import { LivenessView, ReadinessView } from './health.views';

/** A running inbox consumer that has not asked the broker for records this long is stalled. */
export const STALLED_CONSUMER_MS = 60000;

@Controller('health')
export class HealthController {
  private readonly store: MonitorStore;

  constructor(
    @Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig,
    private readonly exchange: ExchangeNode,
    @Inject(PEER_KEYS) private readonly peers: DirectoryPeerKeys,
    private readonly dataSource: DataSource,
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
  ) {
    this.store = new MonitorStore(dataSource);
  }

  /** Liveness: the process answers (`/health` is the same, kept for existing probes). */
  @Get()
  @Public()
  @ApiOkResponse({ description: 'the process answers', type: LivenessView })
  health(): LivenessView {
    return {
      status: 'ok',
      app: 'city-node',
      node: this.config.nodeCode,
      name: this.config.nodeName,
    };
  }

  @Get('live')
  @Public()
  @ApiOkResponse({ description: 'the process answers', type: LivenessView })
  live(): LivenessView {
    return this.health();
  }

  /**
   * Readiness: the database answers, the broker answers this node's
   * certificate, the directory is read to its end, the inbox consumer runs and
   * fetches. 503 `NOT_READY` otherwise. Diverged incoming streams are reported
   * (`degraded`) without failing readiness: the node still serves every other
   * partner. Only counts are public; the monitor names the streams.
   */
  @Get('ready')
  @Public()
  @ApiOkResponse({ description: 'ready to serve', type: ReadinessView })
  async ready(): Promise<ReadinessView> {
    const timeout = READINESS_CHECK_TIMEOUT_MS;
    const stalledStreams = (await this.store.stalledStreams()).length;
    const checks = await readinessChecks(
      this.terminus,
      [
        () => this.database.pingCheck('database', { connection: this.dataSource, timeout }),
        () =>
          checkWithin(this.indicators, 'kafka', async () => ({
            brokers: await this.exchange.brokers(),
          })),
        () => checkWithin(this.indicators, 'directory', () => this.peers.upToDate(Date.now())),
        () => this.inbox(),
      ],
      { stalledStreams },
    );
    return {
      status: stalledStreams > 0 ? 'degraded' : 'ready',
      node: this.config.nodeCode,
      checks,
    };
  }

  private inbox() {
    const inbox = this.exchange.inboxStatus();
    const session = this.indicators.check('inbox');
    const data = {
      state: inbox.state,
      since: new Date(inbox.since).toISOString(),
      lastFetch: this.exchange.lastFetch()
        ? new Date(this.exchange.lastFetch()).toISOString()
        : null,
    };
    if (inbox.state !== 'running')
      return session.down({ ...data, message: `the inbox consumer is ${inbox.state}` });
    const fetchedAgo = Date.now() - Math.max(this.exchange.lastFetch(), inbox.since);
    if (fetchedAgo > STALLED_CONSUMER_MS) {
      return session.down({ ...data, message: `no fetch for ${Math.round(fetchedAgo / 1000)} s` });
    }
    return session.up(data);
  }
}
