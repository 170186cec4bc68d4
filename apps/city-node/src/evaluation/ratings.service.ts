import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EvaluationRatedPayloadV1 } from '@yipanqi/contracts';
import { ExchangeNode, ReceivedMessage } from '@yipanqi/exchange';
import { Principal } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { AgreementsService } from '../agreements/agreements.service';
import { deliveries } from '../notices/delivery';
import { assertFitsExchange } from '../exchange/flow-sending';
import { RatePartnerDto, RatingsQuery } from './evaluation.dto';
import { RatingView } from './evaluation.views';
import { ratedPeriod } from './evaluation-input';
import { evaluationProblem } from './evaluation-problem';
import { EvaluationRating } from './rating.entity';

/**
 * Subjective ratings (互评打分): staff rate a partner for a period and the
 * rating travels as `evaluation.rated` under the agreement with it; the
 * partner keeps what it received. Indicator S reads the message from the log.
 */
@Injectable()
export class RatingsService {
  constructor(
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
  ) {}

  async rate(dto: RatePartnerDto, staff: Principal): Promise<RatingView> {
    const period = evaluationProblem(ratedPeriod(dto.periodStart, dto.periodEnd));
    const { responsiveness, dataQuality, cooperation, serviceQuality } = dto.criteria;
    const payload: EvaluationRatedPayloadV1 = {
      ...period,
      criteria: { responsiveness, dataQuality, cooperation, serviceQuality },
      ...(dto.comment === undefined ? {} : { comment: dto.comment }),
    };
    assertFitsExchange({ ...payload });
    const rating = await this.transactions.run(async (manager) => {
      const agreementId = await this.agreements.agreementForFlow(
        manager,
        dto.partner,
        'evaluation.rated',
        { ...payload },
        dto.agreementId,
      );
      const envelope = await this.exchange.outbox.enqueue(manager, {
        to: dto.partner,
        type: 'evaluation.rated',
        agreementId,
        payload: { ...payload },
      });
      const row: EvaluationRating = {
        id: envelope.id,
        direction: 'given',
        partner: dto.partner,
        agreementId,
        periodStart: payload.periodStart,
        periodEnd: payload.periodEnd,
        ...payload.criteria,
        comment: payload.comment ?? null,
        ratedBy: staff.label,
        at: Date.now(),
      };
      await manager.insert(EvaluationRating, row);
      return row;
    });
    const [view] = await this.views([rating]);
    return view;
  }

  /** A partner's rating of this node, applied inside the inbox transaction. */
  async receive(
    manager: EntityManager,
    message: ReceivedMessage<'evaluation.rated'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    await manager.insert(EvaluationRating, {
      id: envelope.id,
      direction: 'received',
      partner: envelope.from,
      agreementId: envelope.agreementId,
      periodStart: payload.periodStart,
      periodEnd: payload.periodEnd,
      ...payload.criteria,
      comment: payload.comment ?? null,
      ratedBy: null,
      at: message.brokerTime,
    });
  }

  async list(query: RatingsQuery): Promise<RatingView[]> {
    const rows = await this.dataSource.getRepository(EvaluationRating).find({
      where: {
        direction: query.direction ?? 'given',
        ...(query.partner === undefined ? {} : { partner: query.partner }),
      },
      order: { at: 'DESC', id: 'DESC' },
      take: query.limit ?? 100,
    });
    return this.views(rows);
  }

  private async views(rows: EvaluationRating[]): Promise<RatingView[]> {
    const sent = await deliveries(
      this.dataSource.manager,
      rows.map((r) => (r.direction === 'given' ? r.id : null)),
    );
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction,
      partner: r.partner,
      agreementId: r.agreementId,
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      criteria: {
        responsiveness: r.responsiveness,
        dataQuality: r.dataQuality,
        cooperation: r.cooperation,
        serviceQuality: r.serviceQuality,
      },
      comment: r.comment,
      ratedBy: r.ratedBy,
      at: r.at,
      delivery: sent.get(r.id) ?? null,
    }));
  }
}
