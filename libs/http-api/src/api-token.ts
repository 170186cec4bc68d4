import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer tokens are random 256-bit secrets shown once at issue. Only their
 * SHA-256 is stored, so a copy of the database does not let anyone in.
 */
const TOKEN_PREFIX = 'yq_';

export function newApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function apiTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
