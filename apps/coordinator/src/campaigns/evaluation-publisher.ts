import { CompressionTypes } from 'kafkajs';
import { IsNull } from 'typeorm';
import { evaluationTopic } from '@yipanqi/contracts';
import { KafkaConnection } from '@yipanqi/kafka-access';
import { Transactions } from '@yipanqi/persistence';
import { CommittedRecordPublisher } from '../publishing/committed-record-publisher';
import { CampaignResultRow } from './campaign.entities';

export interface EvaluationPublisherOptions {
  kafka: KafkaConnection;
  topicPrefix: string;
  transactions: Transactions;
  log: (message: string) => void;
}

/**
 * Puts signed campaign results on `<prefix>.evaluation`, keyed by campaign
 * id. A result published twice is harmless: the auditor checks each copy.
 */
export class EvaluationPublisher extends CommittedRecordPublisher<CampaignResultRow> {
  constructor({ kafka, topicPrefix, transactions, log }: EvaluationPublisherOptions) {
    super({
      kafka,
      clientId: 'yipanqi-coordinator-evaluation',
      topic: evaluationTopic(topicPrefix),
      // the field names and node codes repeat in every pair; the digests do not compress
      compression: CompressionTypes.GZIP,
      log,
      records: {
        unpublished: () =>
          transactions.dataSource.getRepository(CampaignResultRow).find({
            where: { publishedAt: IsNull() },
            order: { computedAt: 'ASC', id: 'ASC' },
          }),
        message: (row) => ({ key: row.campaignId, value: row.record }),
        published: (rows, appendedAt) =>
          transactions.run(async (m) => {
            for (const row of rows) {
              await m.update(CampaignResultRow, { id: row.id }, { publishedAt: appendedAt });
            }
          }),
      },
    });
  }
}
