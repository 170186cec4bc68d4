import { KeyObject } from 'node:crypto';
import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { assertPayloadSize, PayloadTooLargeError, PeerKeys } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';

/** What every flow needs when staff send: the same answers for the same failures. */

/** The partner's X25519 key from the directory, or 422 UNKNOWN_PARTNER. */
export function partnerKey(peers: PeerKeys, to: string): KeyObject {
  const key = peers.encryptionKey(to);
  if (!key) {
    throw new ProblemError(
      422,
      'UNKNOWN_PARTNER',
      'Unknown partner node',
      `no keys for node ${to}`,
    );
  }
  return key;
}

/** 413 PAYLOAD_TOO_LARGE before the outbox would refuse the payload. */
export function assertFitsExchange(payload: Record<string, unknown>): void {
  try {
    assertPayloadSize(payload);
  } catch (err) {
    if (!(err instanceof PayloadTooLargeError)) throw err;
    throw new ProblemError(
      413,
      'PAYLOAD_TOO_LARGE',
      'Message too large for the exchange',
      err.message,
    );
  }
}

/**
 * One row, locked for the rest of the transaction on PostgreSQL so that two
 * staff requests cannot both act on it (SQLite transactions are serial).
 */
export async function findForUpdate<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  where: Partial<T>,
): Promise<T | null> {
  const query = manager.getRepository(entity).createQueryBuilder('row').where(where);
  if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
  return query.getOne();
}
