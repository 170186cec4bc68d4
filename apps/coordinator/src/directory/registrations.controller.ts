import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Public, Roles } from '@yipanqi/http-api';
import {
  RegistrationQueryDto,
  RegistrationRequestDto,
  RejectRegistrationDto,
} from './directory.dto';
import { DirectoryService } from './directory.service';
import { DirectoryEntryView, RegistrationView } from './directory.views';

/**
 * Nodes ask to join (`city-node register`); admins approve or reject. Asking
 * needs no token: a request changes nothing until staff approve it, after
 * comparing the key fingerprint with the node's operator.
 */
@ApiTags('registrations')
@Controller('registrations')
@Roles('admin')
export class RegistrationsController {
  constructor(private readonly directory: DirectoryService) {}

  @Post()
  @Public()
  @ApiCreatedResponse({ description: 'the request, waiting for staff', type: RegistrationView })
  request(@Body() dto: RegistrationRequestDto): Promise<RegistrationView> {
    return this.directory.requestRegistration(dto);
  }

  @Get()
  @ApiOkResponse({ description: 'oldest first', type: [RegistrationView] })
  list(@Query() query: RegistrationQueryDto): Promise<RegistrationView[]> {
    return this.directory.registrations(query.status);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOkResponse({ description: "the node's first entry, published", type: DirectoryEntryView })
  approve(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DirectoryEntryView> {
    return this.directory.approve(id, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the request, rejected', type: RegistrationView })
  reject(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RejectRegistrationDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RegistrationView> {
    return this.directory.reject(id, principal, dto.note);
  }
}
