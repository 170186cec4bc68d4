import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@yipanqi/http-api';
import { RegisterNodeDto, RotateKeysDto } from './directory.dto';
import { DirectoryService } from './directory.service';

/** The node directory. Changing it is an admin's work; everyone with a token may read it. */
@ApiTags('directory')
@Controller('nodes')
@Roles('admin')
export class NodesController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @Roles('admin', 'coordinator', 'auditor')
  list() {
    return this.directory.list();
  }

  @Get(':code')
  @Roles('admin', 'coordinator', 'auditor')
  get(@Param('code') code: string) {
    return this.directory.get(code);
  }

  /** Registers a node directly (staff have its public keys, e.g. from its operator). */
  @Post()
  register(@Body() dto: RegisterNodeDto) {
    return this.directory.register(dto);
  }

  /** A new key generation from validFrom; messages that reached the broker before it keep verifying. */
  @Post(':code/keys')
  @HttpCode(200)
  rotate(@Param('code') code: string, @Body() dto: RotateKeysDto) {
    const { validFrom, ...keys } = dto;
    return this.directory.rotate(code, keys, validFrom);
  }

  @Post(':code/suspend')
  @HttpCode(200)
  suspend(@Param('code') code: string) {
    return this.directory.suspend(code);
  }

  @Post(':code/reinstate')
  @HttpCode(200)
  reinstate(@Param('code') code: string) {
    return this.directory.reinstate(code);
  }
}
