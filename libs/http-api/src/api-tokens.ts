import { DataSource, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Transactions } from '@yipanqi/persistence';
import { ApiToken } from './api-token.entity';
import { apiTokenHash, newApiToken } from './api-token';
import { Role } from './roles';

export interface Principal {
  tokenId: string;
  role: Role;
  label: string;
}

export interface IssuedToken extends Principal {
  /** shown once; only its hash is kept */
  token: string;
}

/**
 * A token seen recently is trusted for this long without asking the database
 * (a lookup per request was 4 % of a busy node's CPU). A revocation through
 * this process takes effect at once; through another replica of the same
 * node, within this time.
 */
const CACHE_MS = 10_000;
const MAX_CACHED = 10_000;

/** Issues, looks up and revokes the bearer tokens of one app's database. */
export class ApiTokens {
  private readonly recent = new Map<string, { principal: Principal; until: number }>();

  private readonly dataSource: DataSource;

  /**
   * Writes go through `transactions`: on SQLite a bare write could land in
   * another request's open transaction and vanish with its rollback.
   */
  constructor(private readonly transactions: Transactions) {
    this.dataSource = transactions.dataSource;
  }

  async issue(role: Role, label: string): Promise<IssuedToken> {
    const token = newApiToken();
    const row: ApiToken = {
      id: uuidv7(),
      tokenHash: apiTokenHash(token),
      role,
      label,
      createdAt: Date.now(),
      revokedAt: null,
    };
    await this.transactions.run((m) => m.insert(ApiToken, row));
    return { token, tokenId: row.id, role, label };
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = apiTokenHash(token);
    const cached = this.recent.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.dataSource
      .getRepository(ApiToken)
      .findOne({ where: { tokenHash: hash } });
    if (!row || row.revokedAt !== null) {
      this.recent.delete(hash);
      return undefined;
    }
    const principal = { tokenId: row.id, role: row.role, label: row.label };
    if (this.recent.size >= MAX_CACHED) this.recent.clear();
    this.recent.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }

  async list(): Promise<Omit<ApiToken, 'tokenHash'>[]> {
    const rows = await this.dataSource
      .getRepository(ApiToken)
      .find({ order: { createdAt: 'ASC' } });
    return rows.map(({ tokenHash: _hash, ...rest }) => rest);
  }

  /** Revokes at once (the next request with it fails); false when there is no such token. */
  async revoke(tokenId: string): Promise<boolean> {
    const found = await this.transactions.run(async (m) => {
      if (!(await m.existsBy(ApiToken, { id: tokenId }))) return false;
      await m.update(ApiToken, { id: tokenId, revokedAt: IsNull() }, { revokedAt: Date.now() });
      return true;
    });
    if (!found) return false;
    for (const [hash, entry] of this.recent) {
      if (entry.principal.tokenId === tokenId) this.recent.delete(hash);
    }
    return true;
  }
}
