import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@yipanqi/http-api';
import { RegisterNodeDto, RotateKeysDto } from './directory.dto';
import { DirectoryService } from './directory.service';
import { DirectoryEntryView } from './directory.views';

/** The node directory. Changing it is an admin's work; everyone with a token may read it. */
@ApiTags('directory')
@Controller('nodes')
@Roles('admin')
export class NodesController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @Roles('admin', 'coordinator', 'auditor')
  @ApiOkResponse({ description: "every node's latest entry", type: [DirectoryEntryView] })
  list(): Promise<DirectoryEntryView[]> {
    return this.directory.list();
  }

  @Get(':code')
  @Roles('admin', 'coordinator', 'auditor')
  @ApiOkResponse({ description: "the node's latest entry", type: DirectoryEntryView })
  get(@Param('code') code: string): Promise<DirectoryEntryView> {
    return this.directory.get(code);
  }

  /** Registers a node directly (staff have its public keys, e.g. from its operator). */
  @Post()
  @ApiCreatedResponse({ description: 'registered and published', type: DirectoryEntryView })
  register(@Body() dto: RegisterNodeDto): Promise<DirectoryEntryView> {
    return this.directory.register(dto);
  }

  /** A new key generation from validFrom; messages that reached the broker before it keep verifying. */
  @Post(':code/keys')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the new entry, published', type: DirectoryEntryView })
  rotate(@Param('code') code: string, @Body() dto: RotateKeysDto): Promise<DirectoryEntryView> {
    const { validFrom, ...keys } = dto;
    return this.directory.rotate(code, keys, validFrom);
  }

  @Post(':code/suspend')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the new entry, published', type: DirectoryEntryView })
  suspend(@Param('code') code: string): Promise<DirectoryEntryView> {
    return this.directory.suspend(code);
  }

  @Post(':code/reinstate')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the new entry, published', type: DirectoryEntryView })
  reinstate(@Param('code') code: string): Promise<DirectoryEntryView> {
    return this.directory.reinstate(code);
  }
}
