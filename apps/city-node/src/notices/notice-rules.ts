import { RuleProblem, ruleProblem } from '../services/rule-problem';

/**
 * A received notice is read and acknowledged by staff here, once. The
 * acknowledgement is local: the signed receipt already told the sender that
 * the notice arrived (DESIGN §4), and who read it when is this office's own
 * record.
 */
export function noticeAcknowledgeProblem(notice: {
  id: string;
  direction: 'sent' | 'received';
  acknowledgedAt: number | null;
}): RuleProblem | undefined {
  if (notice.direction === 'sent') {
    return ruleProblem(
      422,
      'OWN_NOTICE',
      `this node sent notice ${notice.id}; the partner's staff acknowledge it`,
    );
  }
  if (notice.acknowledgedAt !== null) {
    return ruleProblem(
      409,
      'NOTICE_ALREADY_ACKNOWLEDGED',
      `notice ${notice.id} was acknowledged at ${new Date(notice.acknowledgedAt).toISOString()}`,
    );
  }
  return undefined;
}
