import { Controller, Get, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ExchangeNode, MonitorStore } from '@yipanqi/exchange';
import { ProblemError, Public } from '@yipanqi/http-api';
import { CITY_NODE_CONFIG } from '../tokens';
import type { CityNodeConfig } from '../city-node.config';

@Controller('health')
export class HealthController {
  private readonly store: MonitorStore;

  constructor(
    @Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig,
    private readonly exchange: ExchangeNode,
    dataSource: DataSource,
  ) {
    this.store = new MonitorStore(dataSource);
  }

  /** Liveness: the process answers. */
  @Get()
  @Public()
  health() {
    return {
      status: 'ok',
      app: 'city-node',
      node: this.config.nodeCode,
      name: this.config.nodeName,
    };
  }

  /**
   * Readiness: 503 while the inbox consumer retries a failing chunk or has
   * stopped. Diverged incoming streams are reported (`degraded`) without
   * failing readiness: the node still serves every other partner. Only
   * counts are public; the monitor names the streams.
   */
  @Get('ready')
  @Public()
  async ready() {
    const inbox = this.exchange.inboxStatus();
    const stalledStreams = (await this.store.stalledStreams()).length;
    const checks = {
      inbox: { state: inbox.state, since: new Date(inbox.since).toISOString() },
      stalledStreams,
    };
    if (inbox.state !== 'running') {
      throw new ProblemError(
        503,
        'NOT_READY',
        'The node is not ready',
        `the inbox consumer is ${inbox.state}`,
        { checks },
      );
    }
    return {
      status: stalledStreams > 0 ? 'degraded' : 'ready',
      node: this.config.nodeCode,
      checks,
    };
  }
}
