import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Not } from 'typeorm';
import { InboxMessage, OutboxMessage } from '@yipanqi/exchange';
import { pairWeights, scoreFromLog, ScoringLog, scoringLog } from '@yipanqi/exchange-log';
import { ProblemError } from '@yipanqi/http-api';
import { Agreement } from '../agreements/agreement.entities';
import { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG } from '../tokens';
import { Direction, PartnerScoreQuery, ScoresQuery } from './evaluation.dto';
import { iso, scoreWindow, ScoreWindow } from './evaluation-input';
import { evaluationProblem } from './evaluation-problem';
import { NodeLog, nodeLogRecords } from './log-records';
import { summarise } from './score-report';

/**
 * Mutual evaluation (互评, DESIGN §7) as this node sees it: the scores of
 * each partner in both directions, from the log records rebuilt from this
 * node's outbox and inbox — the whole log of each pair, since every message
 * of the pair passed through this node — through the one derivation the
 * coordinator and the auditor use (libs/exchange-log scoringLog).
 */
@Injectable()
export class EvaluationService {
  private readonly me: string;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    private readonly dataSource: DataSource,
  ) {
    this.me = config.nodeCode;
  }

  /** Every partner, both directions, without the message ids. */
  async scores(query: ScoresQuery) {
    const window = evaluationProblem(scoreWindow(query, Date.now()));
    const log = await this.log();
    const scoring = scoringLog(log.records, window.asOf);
    const partners = await this.partners(log);
    return {
      node: this.me,
      ...windowView(window),
      partners: partners.map((partner) => {
        const terms = pairWeights(scoring, this.me, partner, window.period.end);
        const score = (direction: Direction) =>
          summarise(this.score(scoring, window, partner, direction));
        return {
          partner,
          weights: terms,
          given: score('given'),
          received: score('received'),
          unpublished: this.unpublished(log, partner).length,
        };
      }),
    };
  }

  /** One direction with one partner, with the message ids behind every figure. */
  async partnerScore(partner: string, query: PartnerScoreQuery) {
    const window = evaluationProblem(scoreWindow(query, Date.now()));
    if (partner === this.me) {
      throw new ProblemError(
        422,
        'NOT_A_PARTNER',
        'A node does not score itself',
        `${partner} is this node`,
      );
    }
    const log = await this.log(partner);
    if (!(await this.partners(log)).includes(partner)) {
      throw new ProblemError(
        404,
        'PARTNER_NOT_FOUND',
        'No such partner',
        `this node has no agreement and no messages with ${partner}`,
      );
    }
    const scoring = scoringLog(log.records, window.asOf);
    const terms = pairWeights(scoring, this.me, partner, window.period.end);
    const direction = query.direction ?? 'given';
    return {
      direction,
      ...windowView(window),
      weights: terms,
      unpublished: this.unpublished(log, partner),
      score: this.score(scoring, window, partner, direction),
    };
  }

  private score(log: ScoringLog, window: ScoreWindow, partner: string, direction: Direction) {
    const [evaluator, evaluated] = direction === 'given' ? [this.me, partner] : [partner, this.me];
    return scoreFromLog(log, { evaluator, evaluated, ...window });
  }

  /** The log of this node with one partner, or with all of them. */
  private async log(partner?: string): Promise<NodeLog> {
    const [sent, received] = await Promise.all([
      this.dataSource.getRepository(OutboxMessage).find({
        select: { id: true, peer: true, hash: true, envelope: true, brokerTime: true },
        where: partner ? { peer: partner } : {},
      }),
      this.dataSource.getRepository(InboxMessage).find({
        select: { id: true, envelope: true, brokerTime: true },
        where: partner ? { from: partner } : {},
      }),
    ]);
    return nodeLogRecords(sent, received);
  }

  /** Nodes this node exchanged messages with or made an agreement with, by code. */
  private async partners(log: NodeLog): Promise<string[]> {
    const agreed = await this.dataSource.getRepository(Agreement).find({
      select: { partner: true },
      where: { status: Not('draft') },
    });
    const codes = new Set([
      ...agreed.map((a) => a.partner),
      ...log.records.flatMap((r) => [r.from, r.to]),
      ...log.unsent.map((u) => u.peer),
    ]);
    codes.delete(this.me);
    return [...codes].sort();
  }

  private unpublished(log: NodeLog, partner: string): string[] {
    return log.unsent.filter((u) => u.peer === partner).map((u) => u.id);
  }
}

function windowView(window: ScoreWindow) {
  return {
    period: { start: iso(window.period.start), end: iso(window.period.end) },
    asOf: iso(window.asOf),
  };
}
