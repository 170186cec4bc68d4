import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { exportPublicKeys, NodeKeys } from '@yipanqi/crypto';
import { ExchangeNode, MonitorStore } from '@yipanqi/exchange';
import { ProblemError, Roles } from '@yipanqi/http-api';
import { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG, NODE_KEYS } from '../tokens';
import { PageQuery, RejectionsQuery } from './monitor.dto';
import {
  DeadLetterPageView,
  DeadLetterView,
  DroppedRecordPageView,
  ExchangeStatusView,
  NodePublicKeysView,
  OutboxView,
  RedriveView,
  RejectionPageView,
  StreamView,
} from './monitor.views';

/**
 * Exchange monitor: where each stream stands, what is waiting, what was
 * refused. Admins operate it; auditors may look.
 */
@Controller('exchange')
@Roles('admin', 'auditor')
export class MonitorController {
  private readonly store: MonitorStore;

  constructor(
    dataSource: DataSource,
    private readonly exchange: ExchangeNode,
    @Inject(NODE_KEYS) private readonly keys: NodeKeys,
    @Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig,
  ) {
    this.store = new MonitorStore(dataSource);
  }

  /** This node's public keys, as the coordinator's directory should list them. */
  @Get('keys')
  @ApiOkResponse({ description: "this node's public keys", type: NodePublicKeysView })
  publicKeys(): NodePublicKeysView {
    return { node: this.config.nodeCode, ...exportPublicKeys(this.keys) };
  }

  @Get('streams')
  @ApiOkResponse({ description: 'every stream with a partner, each way', type: [StreamView] })
  async streams(): Promise<StreamView[]> {
    const rows = await this.store.streams();
    return rows.map((r) => ({
      peer: r.peer,
      direction: r.direction,
      lastSeq: r.lastSeq,
      lastHash: r.lastHash,
      stalled:
        r.stalledReason === null
          ? null
          : {
              reason: r.stalledReason,
              firstMessageId: r.stalledMessageId,
              since: new Date(r.stalledSince ?? 0).toISOString(),
            },
    }));
  }

  /** The inbox consumer, diverged streams and what was dropped unanswered, at a glance. */
  @Get('status')
  @ApiOkResponse({ description: 'the exchange at a glance', type: ExchangeStatusView })
  async status(): Promise<ExchangeStatusView> {
    const stalled = await this.store.stalledStreams();
    return {
      inbox: this.exchange.inboxStatus(),
      stalledStreams: stalled.map((s) => ({
        peer: s.peer,
        reason: s.stalledReason,
        firstMessageId: s.stalledMessageId,
        lastSeq: s.lastSeq,
      })),
      dropped: await this.store.dropCounts(),
    };
  }

  @Get('outbox')
  @ApiOkResponse({ description: 'what waits to be sent or answered', type: OutboxView })
  pendingOutbox(): Promise<OutboxView> {
    return this.store.outbox();
  }

  @Get('rejections')
  @ApiOkResponse({ description: 'newest first', type: RejectionPageView })
  rejections(@Query() query: RejectionsQuery): Promise<RejectionPageView> {
    return this.store.rejections(query.direction ?? 'sent', query.limit ?? 50, query.before);
  }

  @Get('dead-letters')
  @ApiOkResponse({ description: 'newest first, without the kept bytes', type: DeadLetterPageView })
  deadLetters(@Query() query: PageQuery): Promise<DeadLetterPageView> {
    return this.store.deadLetters(query.limit ?? 20, query.before);
  }

  /** One dead letter with its kept bytes (the first 4 KiB of the record). */
  @Get('dead-letters/:id')
  @ApiOkResponse({ description: 'the dead letter with its kept bytes', type: DeadLetterView })
  async deadLetter(@Param('id', ParseIntPipe) id: number): Promise<DeadLetterView> {
    const letter = await this.store.deadLetter(id);
    if (!letter) throw deadLetterNotFound(id);
    return letter;
  }

  /** Sampled evidence of records dropped without an answer (DESIGN §3). */
  @Get('dropped')
  @ApiOkResponse({ description: 'newest first', type: DroppedRecordPageView })
  dropped(@Query() query: PageQuery): Promise<DroppedRecordPageView> {
    return this.store.droppedRecords(query.limit ?? 50, query.before);
  }

  /** Tries a dead letter again once its cause is fixed (see docs/exchange.md). */
  @Post('dead-letters/:id/redrive')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ description: 'what the re-drive came to', type: RedriveView })
  async redrive(@Param('id', ParseIntPipe) id: number): Promise<RedriveView> {
    const result = await this.exchange.redriveDeadLetter(id);
    if (!result) throw deadLetterNotFound(id);
    if (result.outcome === 'failed') {
      throw new ProblemError(
        409,
        'REDRIVE_FAILED',
        'The dead letter could not be re-driven',
        result.error,
      );
    }
    return result;
  }
}

function deadLetterNotFound(id: number): ProblemError {
  return new ProblemError(
    404,
    'DEAD_LETTER_NOT_FOUND',
    'No such dead letter',
    `no dead letter ${id}`,
  );
}
