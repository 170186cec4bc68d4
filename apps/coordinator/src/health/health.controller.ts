import { Controller, Get } from '@nestjs/common';
import { Public } from '@yipanqi/http-api';

@Controller('health')
export class HealthController {
  @Get()
  @Public()
  health() {
    return { status: 'ok', app: 'coordinator' };
  }
}
