import { ApiProperty } from '@nestjs/swagger';
import { Role, ROLES } from './roles';

/** A bearer token as admins list it: never the secret. Times are epoch milliseconds. */
export class TokenView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ description: 'who or what the token is for' })
  label!: string;

  @ApiProperty({ type: 'integer', description: 'epoch milliseconds' })
  createdAt!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'epoch milliseconds' })
  revokedAt!: number | null;
}

/** POST /auth/tokens: the token, shown once. */
export class IssuedTokenView {
  @ApiProperty({ description: 'the bearer token; shown once, only its hash is kept' })
  token!: string;

  @ApiProperty({ format: 'uuid' })
  tokenId!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty()
  label!: string;
}
