import { EntityManager, In } from 'typeorm';
import { OutboxMessage } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { agreementState } from '../agreements/agreement-store';
import { senderRoleProblem } from './certificate-rules';
import { CertificateDelivery } from './certificate.views';

/** What the certificate and the verification services share: delivery states and role checks. */

export async function deliveriesOf(
  manager: EntityManager,
  messageIds: string[],
): Promise<Map<string, CertificateDelivery>> {
  const deliveries = new Map<string, CertificateDelivery>();
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await manager.find(OutboxMessage, {
      select: { id: true, sentAt: true, answer: true, answerReason: true },
      where: { id: In(messageIds.slice(i, i + 500)) },
    });
    for (const row of rows) {
      deliveries.set(row.id, {
        state: row.answer ?? (row.sentAt === null ? 'queued' : 'sent'),
        reason: row.answerReason,
      });
    }
  }
  return deliveries;
}

/** Why `from` may not send `type` under the agreement (its role there), or undefined. */
export async function senderRoleRefusal(
  manager: EntityManager,
  agreementId: string | null,
  from: string,
  type: string,
): Promise<string | undefined> {
  const agreement = await agreementState(manager, agreementId);
  return agreement && senderRoleProblem(agreement.terms, from, type);
}

/** 422 WRONG_PARTY_ROLE when this node's role in the agreement does not send `type`. */
export async function assertSenderRole(
  manager: EntityManager,
  agreementId: string,
  me: string,
  type: string,
): Promise<void> {
  const problem = await senderRoleRefusal(manager, agreementId, me, type);
  if (problem) {
    throw new ProblemError(422, 'WRONG_PARTY_ROLE', 'The message may not be sent', problem);
  }
}

export function instant(ms: number): string;
export function instant(ms: number | null): string | null;
export function instant(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
