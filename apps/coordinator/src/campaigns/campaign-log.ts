import { NodeKeys } from '@yipanqi/crypto';
import { connectionOf } from '@yipanqi/kafka-access';
import { DEFAULT_SLA } from '@yipanqi/evaluation';
import { KafkaSource, VerifiedMessage, verifyLog } from '@yipanqi/exchange-log';
import { CoordinatorConfig } from '../coordinator.config';

/**
 * The participants' part of the exchange log, verified exactly as the
 * auditor verifies it (libs/exchange-log): their inboxes hold every message
 * between two participants and every answer to one, which is all a campaign
 * counts. Findings about the log are the auditor's to report; the campaign
 * counts only messages that entered their stream, as the auditor does.
 */
export class CampaignLog {
  constructor(
    private readonly config: CoordinatorConfig,
    private readonly keys: NodeKeys,
  ) {}

  async messages(participants: readonly string[], asOf: number): Promise<VerifiedMessage[]> {
    const source = new KafkaSource({
      kafka: connectionOf(this.config.kafka),
      topicPrefix: this.config.topicPrefix,
      reader: 'coordinator',
      nodes: [...participants],
    });
    const plan = await source.open();
    try {
      const verified = await verifyLog(source, plan, {
        coordinatorKey: this.keys.signing.publicKey,
        asOf,
        // decides only which missing answers are findings, which campaigns do not use
        answerWindowMs: DEFAULT_SLA.receiptHours * 3600_000,
      });
      // the log as it stood at asOf: whatever was appended since cannot change the figures
      return verified.messagesAsOf(asOf);
    } finally {
      await source.close();
    }
  }
}
