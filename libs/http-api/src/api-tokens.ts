import { DataSource, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
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

/** Issues, looks up and revokes the bearer tokens of one app's database. */
export class ApiTokens {
  constructor(private readonly dataSource: DataSource) {}

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
    await this.dataSource.getRepository(ApiToken).insert(row);
    return { token, tokenId: row.id, role, label };
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const row = await this.dataSource
      .getRepository(ApiToken)
      .findOne({ where: { tokenHash: apiTokenHash(token) } });
    if (!row || row.revokedAt !== null) return undefined;
    return { tokenId: row.id, role: row.role, label: row.label };
  }

  async list(): Promise<Omit<ApiToken, 'tokenHash'>[]> {
    const rows = await this.dataSource
      .getRepository(ApiToken)
      .find({ order: { createdAt: 'ASC' } });
    return rows.map(({ tokenHash: _hash, ...rest }) => rest);
  }

  /** Revokes at once (the next request with it fails); false when there is no such token. */
  async revoke(tokenId: string): Promise<boolean> {
    const repo = this.dataSource.getRepository(ApiToken);
    if (!(await repo.existsBy({ id: tokenId }))) return false;
    await repo.update({ id: tokenId, revokedAt: IsNull() }, { revokedAt: Date.now() });
    return true;
  }
}
