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
  (_data: unknown, ctx: ExecutionContext): AccessReason => statedReason(requestOf(ctx)),
);

/**
 * For lists and searches, which return personal data only when asked with
 * `?reveal=true`: then the purpose is required as with AccessPurpose,
 * otherwise the parameter is undefined and nothing personal may be returned.
 */
export const RevealPurpose = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AccessReason | undefined => {
    const request = requestOf(ctx);
    return request.query?.reveal === 'true' ? statedReason(request) : undefined;
  },
);

type PurposeRequest = AuthenticatedRequest & {
  headers: Record<string, string | undefined>;
  query?: Record<string, unknown>;
};

function requestOf(ctx: ExecutionContext): PurposeRequest {
  return ctx.switchToHttp().getRequest<PurposeRequest>();
}

function statedReason(request: PurposeRequest): AccessReason {
  const purpose = decodePurpose(request.headers[PURPOSE_HEADER]);
  if (!purpose || !request.principal) {
    throw new ProblemError(
      400,
      'PURPOSE_REQUIRED',
      'State why you read personal data',
      `send the purpose (3 to 200 characters) in the ${PURPOSE_HEADER} header; it goes into the access log`,
    );
  }
  return { principal: request.principal, purpose };
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
