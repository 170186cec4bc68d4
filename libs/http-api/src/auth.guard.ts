import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from './access.decorators';
import { bearerToken } from './api-token';
import { ApiTokens } from './api-tokens';
import { ProblemError } from './problem';
import { Role } from './roles';

/**
 * Global guard: every HTTP route needs a valid bearer token whose role the
 * route admits, unless it is marked @Public(). A route that declares neither
 * is refused (fail closed); tests/meta lists every route's access.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context
      .switchToHttp()
      .getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      throw new ProblemError(
        401,
        'UNAUTHENTICATED',
        'Authentication required',
        'send Authorization: Bearer <token>',
      );
    }
    const principal = await this.tokens.authenticate(token);
    if (!principal) {
      throw new ProblemError(
        401,
        'TOKEN_INVALID',
        'Authentication failed',
        'the token is unknown or revoked',
      );
    }
    request.principal = principal;

    const admitted = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!admitted || !admitted.includes(principal.role)) {
      throw new ProblemError(
        403,
        'FORBIDDEN',
        'Not allowed for this role',
        `role ${principal.role} may not call this route` +
          (admitted ? ` (admitted: ${admitted.join(', ')})` : ''),
      );
    }
    return true;
  }
}
