import { createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthenticatedRequest, Principal, ProblemError } from '@yipanqi/http-api';
import { PersonalDataAccess } from './access-log.entity';

/** The header in which a caller states why it reads personal data. */
export const PURPOSE_HEADER = 'x-access-purpose';

/** Who reads personal data and why: the principal and the stated purpose. */
export interface AccessReason {
  principal: Principal;
  purpose: string;
}

/**
 * The caller and the purpose it states in `X-Access-Purpose`. A route that
 * returns personal data takes this parameter; without a purpose the request
 * is refused (400 PURPOSE_REQUIRED) before anything is read.
 */
export const AccessPurpose = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AccessReason => requirePurpose(statedReason(ctx)),
);

/**
 * The caller and its stated purpose, or undefined when it states none: for
 * routes that return personal data only on some requests (a search with
 * `reveal=true`), which call `requirePurpose` when they do.
 */
export const OptionalAccessPurpose = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AccessReason | undefined => statedReason(ctx),
);

/**
 * For routes that return personal data only when asked (`?reveal=true`): then
 * the caller and purpose as with AccessPurpose (a purpose is required),
 * otherwise undefined and no purpose is needed.
 */
export const RevealPurpose = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AccessReason | undefined => {
    const request = ctx.switchToHttp().getRequest<{ query?: Record<string, unknown> }>();
    return request.query?.reveal === 'true' ? requirePurpose(statedReason(ctx)) : undefined;
  },
);

/** The reason, or 400 PURPOSE_REQUIRED when the caller stated none. */
export function requirePurpose(reason: AccessReason | undefined): AccessReason {
  if (!reason) {
    throw new ProblemError(
      400,
      'PURPOSE_REQUIRED',
      'State why you read personal data',
      `send the purpose (3 to 200 characters) in the ${PURPOSE_HEADER} header; it goes into the access log`,
    );
  }
  return reason;
}

function statedReason(ctx: ExecutionContext): AccessReason | undefined {
  const request = ctx
    .switchToHttp()
    .getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
  const purpose = decodePurpose(request.headers[PURPOSE_HEADER]);
  return purpose && request.principal ? { principal: request.principal, purpose } : undefined;
}

/** Header values are Latin-1; a purpose in Chinese is sent percent-encoded (encodeURIComponent). */
function decodePurpose(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let text: string;
  try {
    text = decodeURIComponent(raw).trim();
  } catch {
    return undefined;
  }
  return text.length >= 3 && text.length <= 200 ? text : undefined;
}

/** Personal data is for staff: auditors check the exchange without it (DESIGN §3). */
export function assertMayReveal(reason: AccessReason | undefined): void {
  if (reason && reason.principal.role !== 'coordinator') {
    throw new ProblemError(
      403,
      'FORBIDDEN',
      'Forbidden',
      'only coordination staff may reveal personal data',
    );
  }
}

/** Writes the access log. Call it before the data leaves: no log entry, no data. */
@Injectable()
export class AccessLog {
  constructor(private readonly dataSource: DataSource) {}

  async recordReads(reason: AccessReason, recordType: string, recordIds: string[]): Promise<void> {
    if (recordIds.length === 0) return;
    const at = Date.now();
    const rows = recordIds.map((recordId) => ({
      at,
      tokenId: reason.principal.tokenId,
      role: reason.principal.role,
      label: reason.principal.label,
      recordType,
      recordId,
      purpose: reason.purpose,
    }));
    for (let i = 0; i < rows.length; i += 500) {
      await this.dataSource.getRepository(PersonalDataAccess).insert(rows.slice(i, i + 500));
    }
  }
}
