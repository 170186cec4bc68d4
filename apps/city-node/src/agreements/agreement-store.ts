import { EntityManager } from 'typeorm';
import { AgreementTermsV1 } from '@yipanqi/contracts';
import { AgreementState } from './agreement-rules';
import { Agreement, AgreementEvent, AgreementVersion } from './agreement.entities';

/** Database reads and writes shared by the staff API and the inbox (always inside a transaction). */

export async function findAgreement(
  manager: EntityManager,
  id: string | null,
): Promise<Agreement | null> {
  return id ? manager.findOne(Agreement, { where: { id } }) : null;
}

/** The agreement's current text (in force, or the one on offer before that). */
export async function currentVersion(
  manager: EntityManager,
  agreement: Agreement,
): Promise<AgreementVersion> {
  return manager.findOneOrFail(AgreementVersion, {
    where: { agreementId: agreement.id, version: agreement.version, hash: agreement.hash },
  });
}

export function termsOf(version: AgreementVersion): AgreementTermsV1 {
  return JSON.parse(version.terms) as AgreementTermsV1;
}

/** What the flow rules need: status and current text, or undefined when there is no such agreement. */
export async function agreementState(
  manager: EntityManager,
  id: string | null,
): Promise<AgreementState | undefined> {
  const agreement = await findAgreement(manager, id);
  if (!agreement) return undefined;
  return { status: agreement.status, terms: termsOf(await currentVersion(manager, agreement)) };
}

/** The offer (proposal or amendment) awaiting an answer, made by `proposer`. */
export async function pendingOffer(
  manager: EntityManager,
  agreementId: string,
  proposer: string,
): Promise<AgreementVersion | null> {
  return manager.findOne(AgreementVersion, {
    where: { agreementId, proposer, state: 'offered' },
  });
}

export async function recordEvent(
  manager: EntityManager,
  event: Omit<AgreementEvent, 'id'>,
): Promise<void> {
  await manager.insert(AgreementEvent, event);
}
