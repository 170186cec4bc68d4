import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { Roles } from './access.decorators';
import { ApiTokens } from './api-tokens';
import { ProblemError } from './problem';
import { Role, ROLES } from './roles';
import { IssuedTokenView, TokenView } from './token.views';

export class IssueTokenDto {
  @IsIn(ROLES)
  role!: Role;

  /** who or what the token is for, e.g. "张三 (staff)" or "dashboard" */
  @IsString()
  @Length(1, 200)
  label!: string;
}

/**
 * Admins issue and revoke the bearer tokens of this app (a city node or the
 * coordinator); the first admin token comes from the `issue-token` CLI.
 */
@Controller('auth/tokens')
@Roles('admin')
export class TokensController {
  constructor(private readonly tokens: ApiTokens) {}

  @Post()
  @ApiCreatedResponse({ description: 'the token, shown once', type: IssuedTokenView })
  issue(@Body() dto: IssueTokenDto): Promise<IssuedTokenView> {
    return this.tokens.issue(dto.role, dto.label);
  }

  @Get()
  @ApiOkResponse({ description: 'oldest first, revoked ones too', type: [TokenView] })
  list(): Promise<TokenView[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'revoked; the next request with it fails' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.tokens.revoke(id))) {
      throw new ProblemError(404, 'TOKEN_NOT_FOUND', 'No such token', `no token ${id}`);
    }
  }
}
