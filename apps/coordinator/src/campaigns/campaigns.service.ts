import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { NodeKeys } from '@yipanqi/crypto';
import { Weights } from '@yipanqi/evaluation';
import {
  CampaignResult,
  campaignResult,
  recomputeCampaign,
  signCampaignResult,
} from '@yipanqi/exchange-log';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { DirectoryService } from '../directory/directory.service';
import { COORDINATOR_KEYS } from '../tokens';
import { CampaignLog } from './campaign-log';
import { campaignDefinition, CampaignRequest, resultAsOf } from './campaign-rules';
import { Campaign, CampaignResultRow } from './campaign.entities';
import { EvaluationPublisher } from './evaluation-publisher';

/** A campaign as the API shows it: its definition and its latest result. */
export interface CampaignView {
  id: string;
  name: string;
  periodStart: string;
  periodEnd: string;
  participants: string[];
  weights: Weights | null;
  createdAt: string;
  createdBy: string;
  /** how many times it was computed */
  results: number;
  latestResult: CampaignResult | null;
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
    const result = signCampaignResult(
      campaignResult(about, parameters, recomputeCampaign(messages, parameters)),
      this.keys.signing.privateKey,
    );
    await this.transactions.dataSource.getRepository(CampaignResultRow).insert({
      id: result.resultId,
      campaignId: campaign.id,
      asOf: at,
      computedAt: result.computedAt,
      record: JSON.stringify(result),
      publishedAt: null,
    });
    await this.publisher.flush();
    return result;
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
