import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { exportPublicKeys, NodeKeys } from '@yipanqi/crypto';
import { keyFingerprint } from '@yipanqi/directory';
import { Public, Roles } from '@yipanqi/http-api';
import { COORDINATOR_KEYS } from '../tokens';
import { DirectoryService } from './directory.service';
import { CoordinatorKeyView, RepublishedView } from './directory.views';

@ApiTags('directory')
@Controller('directory')
export class DirectoryController {
  constructor(
    private readonly directory: DirectoryService,
    @Inject(COORDINATOR_KEYS) private readonly keys: NodeKeys,
  ) {}

  /**
   * The key that signs the directory (COORDINATOR_KEY of every node). Public;
   * operators check its fingerprint with the coordinator before trusting it.
   */
  @Get('coordinator-key')
  @Public()
  @ApiOkResponse({ description: 'the key that signs the directory', type: CoordinatorKeyView })
  coordinatorKey(): CoordinatorKeyView {
    const { signingKey } = exportPublicKeys(this.keys);
    return { signingKey, fingerprint: keyFingerprint(signingKey) };
  }

  /** Publishes every node's latest entry again, e.g. after the topic was lost. */
  @Post('republish')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ description: 'how many entries were published again', type: RepublishedView })
  republish(): Promise<RepublishedView> {
    return this.directory.republish();
  }
}
