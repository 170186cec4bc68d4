import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DirectoryPeerKeys } from '@yipanqi/exchange';
import { CurrentPrincipal, Principal, ROLES, Roles } from '@yipanqi/http-api';
import type { CityNodeConfig } from '../city-node.config';
import { CITY_NODE_CONFIG, PEER_KEYS } from '../tokens';
import { DirectoryNodeView, MeView } from './staff.views';

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
  @ApiOkResponse({ description: 'who the token belongs to', type: MeView })
  me(@CurrentPrincipal() principal: Principal): MeView {
    return {
      role: principal.role,
      label: principal.label,
      node: this.config.nodeCode,
      name: this.config.nodeName,
    };
  }

  /** Every node in the coordinator's directory as this node has read it: code, name, level, status; no keys. */
  @Get('directory')
  @ApiOkResponse({ description: 'the nodes of the directory, by code', type: [DirectoryNodeView] })
  directory(): DirectoryNodeView[] {
    return this.peers
      .members()
      .map(({ code, name, level, status }) => ({ code, name, level, status }))
      .sort((a, b) => a.code.localeCompare(b.code));
  }
}
