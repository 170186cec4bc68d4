import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Not } from 'typeorm';
import { scorePair, Weights } from '@yipanqi/evaluation';
import { InboxMessage, OutboxMessage } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { Agreement, AgreementVersion } from '../agreements/agreement.entities';
import { termsOf } from '../agreements/agreement-store';
import { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG } from '../tokens';
import { AgreementTimeline, pairWeights } from './agreement-terms';
import { Direction, PartnerScoreQuery, ScoresQuery } from './evaluation.dto';
import { iso, scoreWindow, ScoreWindow } from './evaluation-input';
import { evaluationProblem } from './evaluation-problem';
import { NodeLog, nodeLogRecords } from './log-records';
import { summarise } from './score-report';

/**
 * Mutual evaluation (互评, DESIGN §7) as this node sees it: the scores of
 * each partner in both directions, computed by libs/evaluation from the log
 * records rebuilt from this node's outbox and inbox — the whole log of each
 * pair, since every message of the pair passed through this node.
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
    const timeline = await this.timeline(log);
    const partners = await this.partners(log);
    return {
      node: this.me,
      ...windowView(window),
      partners: partners.map((partner) => {
        const terms = pairWeights(timeline, this.me, partner, window.period.end);
        const score = (direction: Direction) =>
          summarise(this.score(log, timeline, terms.weights, window, partner, direction));
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
    const timeline = await this.timeline(log);
    const terms = pairWeights(timeline, this.me, partner, window.period.end);
    const direction = query.direction ?? 'given';
    return {
      direction,
      ...windowView(window),
      weights: terms,
      unpublished: this.unpublished(log, partner),
      score: this.score(log, timeline, terms.weights, window, partner, direction),
    };
  }

  private score(
    log: NodeLog,
    timeline: AgreementTimeline,
    weights: Weights,
    window: ScoreWindow,
    partner: string,
    direction: Direction,
  ) {
    const [evaluator, evaluated] = direction === 'given' ? [this.me, partner] : [partner, this.me];
    return scorePair({
      evaluator,
      evaluated,
      period: window.period,
      asOf: window.asOf,
      records: log.records,
      slaFor: timeline.slaFor,
      weights,
    });
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

  private async timeline(log: NodeLog): Promise<AgreementTimeline> {
    const versions = await this.dataSource.getRepository(AgreementVersion).find();
    return new AgreementTimeline(
      versions.map((v) => ({ hash: v.hash, terms: termsOf(v) })),
      log.records,
    );
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
