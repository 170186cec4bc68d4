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
import { DataSource, IsNull } from 'typeorm';
import { exportPublicKeys, NodeKeys } from '@yipanqi/crypto';
import {
  DeadLetter,
  ExchangeNode,
  OutboxMessage,
  RejectionRecord,
  StreamState,
} from '@yipanqi/exchange';
import { ProblemError, Roles } from '@yipanqi/http-api';
import { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG, NODE_KEYS } from '../tokens';

/**
 * Exchange monitor: where each stream stands, what is waiting, what was
 * refused. Admins operate it; auditors may look.
 */
@Controller('exchange')
@Roles('admin', 'auditor')
export class MonitorController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly exchange: ExchangeNode,
    @Inject(NODE_KEYS) private readonly keys: NodeKeys,
    @Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig,
  ) {}

  /** This node's public keys, as the coordinator's directory should list them. */
  @Get('keys')
  publicKeys() {
    return { node: this.config.nodeCode, ...exportPublicKeys(this.keys) };
  }

  @Get('streams')
  async streams() {
    const rows = await this.dataSource.getRepository(StreamState).find({ order: { peer: 'ASC' } });
    return rows.map((r) => ({
      peer: r.peer,
      direction: r.direction,
      lastSeq: r.lastSeq,
      lastHash: r.lastHash,
    }));
  }

  @Get('outbox')
  async pendingOutbox() {
    const repo = this.dataSource.getRepository(OutboxMessage);
    const pending = await repo.count({ where: { sentAt: IsNull() } });
    const unanswered = await repo.count({ where: { answer: IsNull() } });
    const oldest = await repo.find({
      select: { id: true, peer: true, seq: true, type: true, createdAt: true },
      where: { sentAt: IsNull() },
      order: { position: 'ASC' },
      take: 20,
    });
    return { pending, unanswered, oldest };
  }

  @Get('rejections')
  rejections(@Query('direction') direction: 'sent' | 'received' = 'sent') {
    return this.dataSource.getRepository(RejectionRecord).find({
      where: { direction: direction === 'received' ? 'received' : 'sent' },
      order: { id: 'DESC' },
      take: 200,
    });
  }

  @Get('dead-letters')
  deadLetters() {
    return this.dataSource.getRepository(DeadLetter).find({ order: { id: 'DESC' }, take: 200 });
  }

  /** Tries a dead letter again once its cause is fixed (see docs/exchange.md). */
  @Post('dead-letters/:id/redrive')
  @Roles('admin')
  @HttpCode(200)
  async redrive(@Param('id', ParseIntPipe) id: number) {
    const result = await this.exchange.redriveDeadLetter(id);
    if (!result) {
      throw new ProblemError(
        404,
        'DEAD_LETTER_NOT_FOUND',
        'No such dead letter',
        `no dead letter ${id}`,
      );
    }
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
