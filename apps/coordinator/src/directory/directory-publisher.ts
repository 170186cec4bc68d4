import { IsNull } from 'typeorm';
import { directoryTopic } from '@yipanqi/contracts';
import { KafkaConnection } from '@yipanqi/kafka-access';
import { Transactions } from '@yipanqi/persistence';
import { CommittedRecordPublisher } from '../publishing/committed-record-publisher';
import { DirectoryEntryRow } from './directory.entities';

export interface DirectoryPublisherOptions {
  kafka: KafkaConnection;
  topicPrefix: string;
  transactions: Transactions;
  leadMs: number;
  log: (message: string) => void;
}

/**
 * Puts signed entries on the compacted directory topic, keyed by node code;
 * readers keep the highest version, so a repeated entry is harmless.
 */
export class DirectoryPublisher extends CommittedRecordPublisher<DirectoryEntryRow> {
  constructor({ kafka, topicPrefix, transactions, leadMs, log }: DirectoryPublisherOptions) {
    super({
      kafka,
      clientId: 'yipanqi-coordinator',
      topic: directoryTopic(topicPrefix),
      log,
      records: {
        unpublished: () =>
          transactions.dataSource.getRepository(DirectoryEntryRow).find({
            where: { publishedAt: IsNull() },
            order: { issuedAt: 'ASC', version: 'ASC' },
          }),
        message: (row) => ({ key: row.code, value: row.entry }),
        published: async (rows, appendedAt) => {
          for (const row of rows) {
            if (appendedAt > row.issuedAt + leadMs) {
              log(
                `entry ${row.code} v${row.version} reached the broker ${appendedAt - row.issuedAt} ms after ` +
                  `it was issued, later than the ${leadMs} ms lead: raise DIRECTORY_LEAD_MS`,
              );
            }
          }
          await transactions.run(async (m) => {
            for (const row of rows) {
              await m.update(
                DirectoryEntryRow,
                { code: row.code, version: row.version },
                { publishedAt: appendedAt },
              );
            }
          });
        },
      },
    });
  }
}
