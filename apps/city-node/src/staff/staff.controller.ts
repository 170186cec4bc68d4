import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DirectoryPeerKeys } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, ROLES, Roles } from '@yipanqi/http-api';
import type { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG, PEER_KEYS } from '../tokens';

/**
 * What a staff client needs before it shows anything: who the token belongs
 * to, and the names of the codes it will display. Any role may ask; neither
 * answer holds personal data.
 */
@ApiTags('staff')
@Controller()
@Roles(...ROLES)
export class StaffController {
  constructor(
    @Inject(CITY_NODE_CONFIG) private readonly config: CityNodeConfig,
    @Inject(PEER_KEYS) private readonly peers: DirectoryPeerKeys,
  ) {}

  /** The token's role and label, and the node it was issued on. */
  @Get('auth/me')
  me(@CurrentPrincipal() principal: Principal) {
    return {
      role: principal.role,
      label: principal.label,
      node: this.config.nodeCode,
      name: this.config.nodeName,
    };
  }

  /** Every node in the coordinator's directory as this node has read it: code, name, level, status; no keys. */
  @Get('directory')
  directory() {
    return this.peers
      .members()
      .map(({ code, name, level, status }) => ({ code, name, level, status }))
      .sort((a, b) => a.code.localeCompare(b.code));
  }
}
