import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Public, Roles } from '@yipanqi/http-api';
import {
  RegistrationQueryDto,
  RegistrationRequestDto,
  RejectRegistrationDto,
} from './directory.dto';
import { DirectoryService } from './directory.service';

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
  request(@Body() dto: RegistrationRequestDto) {
    return this.directory.requestRegistration(dto);
  }

  @Get()
  list(@Query() query: RegistrationQueryDto) {
    return this.directory.registrations(query.status);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return this.directory.approve(id, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RejectRegistrationDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.directory.reject(id, principal, dto.note);
  }
}
