import { createHash } from 'node:crypto';

export function sha256Base64url(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('base64url');
}
