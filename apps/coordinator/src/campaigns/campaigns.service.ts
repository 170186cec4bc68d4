import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { NodeKeys } from '@yipanqi/crypto';
import { CampaignScores, IndicatorCode, INDICATORS } from '@yipanqi/evaluation';
import {
  CampaignResult,
  campaignResult,
  evidenceDigest,
  hasEvidence,
  IndicatorEvidence,
  recomputeCampaign,
  signCampaignResult,
} from '@yipanqi/exchange-log';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { DirectoryService } from '../directory/directory.service';
import { COORDINATOR_KEYS } from '../tokens';
import { CampaignLog } from './campaign-log';
import { campaignDefinition, CampaignRequest, resultAsOf } from './campaign-rules';
import { Campaign, CampaignEvidence, CampaignResultRow } from './campaign.entities';
import { CampaignView, EvidenceView } from './campaign.views';
import { EvaluationPublisher } from './evaluation-publisher';

/** Rows per insert: well under SQLite's bound variables, and small statements for PostgreSQL. */
const EVIDENCE_ROWS_PER_INSERT = 200;

/** One row per pair with any id: the others have nothing to serve. */
function evidenceRows(resultId: string, scores: CampaignScores): CampaignEvidence[] {
  return scores.pairs.filter(hasEvidence).map((p) => {
    const ids = {} as Record<IndicatorCode, IndicatorEvidence>;
    for (const code of INDICATORS) {
      const { numeratorIds, denominatorIds, pendingIds } = p.indicators[code];
      ids[code] = { numeratorIds, denominatorIds, pendingIds };
    }
    return { resultId, evaluator: p.evaluator, evaluated: p.evaluated, ids };
  });
}

/**
 * Evaluation campaigns (考核批次, DESIGN §7): the coordinator scores every
 * pair of participants from the verified log with libs/evaluation, ranks
 * them, and publishes each result signed, so that any auditor can score the
 * same log again and compare every figure.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly directory: DirectoryService,
    private readonly log: CampaignLog,
    private readonly publisher: EvaluationPublisher,
    @Inject(COORDINATOR_KEYS) private readonly keys: NodeKeys,
  ) {}

  async create(request: CampaignRequest, by: Principal): Promise<CampaignView> {
    const listed = new Set((await this.directory.list()).map((e) => e.code));
    const definition = campaignDefinition(request, listed);
    const campaign: Campaign = {
      id: uuidv7(),
      name: definition.name,
      periodStart: definition.period.start,
      periodEnd: definition.period.end,
      participants: definition.participants,
      weights: definition.weights,
      createdAt: Date.now(),
      createdBy: by.label,
    };
    await this.transactions.dataSource.getRepository(Campaign).insert(campaign);
    return view(campaign, []);
  }

  async list(): Promise<CampaignView[]> {
    const campaigns = await this.transactions.dataSource
      .getRepository(Campaign)
      .find({ order: { createdAt: 'DESC' } });
    return Promise.all(campaigns.map(async (c) => view(c, await this.resultsOf(c.id))));
  }

  async get(id: string): Promise<CampaignView> {
    const campaign = await this.find(id);
    return view(campaign, await this.resultsOf(id));
  }

  /**
   * Scores the campaign as of `asOf` from the participants' inboxes, stores
   * the signed result and publishes it on the evaluation topic.
   */
  async compute(id: string, asOf: string | undefined): Promise<CampaignResult> {
    const campaign = await this.find(id);
    const period = { start: campaign.periodStart, end: campaign.periodEnd };
    const at = resultAsOf(asOf, period, Date.now());
    const parameters = {
      participants: campaign.participants,
      period,
      asOf: at,
      weights: campaign.weights,
    };
    const messages = await this.log.messages(campaign.participants, at);
    const about = {
      resultId: uuidv7(),
      campaignId: campaign.id,
      name: campaign.name,
      computedAt: Date.now(),
    };
    const scores = recomputeCampaign(messages, parameters);
    const result = signCampaignResult(
      campaignResult(about, parameters, scores),
      this.keys.signing.privateKey,
    );
    const evidence = evidenceRows(result.resultId, scores);
    // the ids are stored with the result: a published digest is never without its lists
    await this.transactions.run(async (m) => {
      await m.insert(CampaignResultRow, {
        id: result.resultId,
        campaignId: campaign.id,
        asOf: at,
        computedAt: result.computedAt,
        record: JSON.stringify(result),
        publishedAt: null,
      });
      for (let i = 0; i < evidence.length; i += EVIDENCE_ROWS_PER_INSERT) {
        await m.insert(CampaignEvidence, evidence.slice(i, i + EVIDENCE_ROWS_PER_INSERT));
      }
    });
    await this.publisher.flush();
    return result;
  }

  /**
   * The message ids behind one indicator of one ordered pair of a result,
   * which the published result holds only as their digest. A pair of
   * participants the result leaves out had nothing behind it: empty lists.
   */
  async evidence(
    id: string,
    resultId: string,
    pair: { evaluator: string; evaluated: string },
    indicator: IndicatorCode,
  ): Promise<EvidenceView> {
    const campaign = await this.find(id);
    const result = await this.transactions.dataSource
      .getRepository(CampaignResultRow)
      .findOneBy({ id: resultId, campaignId: id });
    if (!result) {
      throw new ProblemError(
        404,
        'RESULT_NOT_FOUND',
        'No such result',
        `campaign ${id} has no result ${resultId}`,
      );
    }
    const { evaluator, evaluated } = pair;
    const participants = new Set(campaign.participants);
    if (evaluator === evaluated || !participants.has(evaluator) || !participants.has(evaluated)) {
      throw new ProblemError(
        404,
        'PAIR_NOT_FOUND',
        'No such pair',
        `${evaluator}-${evaluated} is not an ordered pair of two participants of campaign ${id}`,
      );
    }
    const row = await this.transactions.dataSource
      .getRepository(CampaignEvidence)
      .findOneBy({ resultId, evaluator, evaluated });
    const lists = row?.ids[indicator] ?? { numeratorIds: [], denominatorIds: [], pendingIds: [] };
    return {
      campaignId: id,
      resultId,
      evaluator,
      evaluated,
      indicator,
      numeratorIds: lists.numeratorIds,
      denominatorIds: lists.denominatorIds,
      pendingIds: lists.pendingIds,
      digest: evidenceDigest(lists),
    };
  }

  private async find(id: string): Promise<Campaign> {
    const campaign = await this.transactions.dataSource.getRepository(Campaign).findOneBy({ id });
    if (!campaign) {
      throw new ProblemError(404, 'CAMPAIGN_NOT_FOUND', 'No such campaign', `no campaign ${id}`);
    }
    return campaign;
  }

  private resultsOf(id: string): Promise<CampaignResultRow[]> {
    return this.transactions.dataSource
      .getRepository(CampaignResultRow)
      .find({ where: { campaignId: id }, order: { computedAt: 'DESC', id: 'DESC' } });
  }
}

function view(c: Campaign, results: CampaignResultRow[]): CampaignView {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: c.id,
    name: c.name,
    periodStart: iso(c.periodStart),
    periodEnd: iso(c.periodEnd),
    participants: c.participants,
    weights: c.weights,
    createdAt: iso(c.createdAt),
    createdBy: c.createdBy,
    results: results.length,
    latestResult: results.length > 0 ? (JSON.parse(results[0].record) as CampaignResult) : null,
  };
}
