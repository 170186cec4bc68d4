import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Roles } from '@yipanqi/http-api';
import { PersonalDataAccess } from './access-log.entity';
import { AccessLogQuery } from './access-log.dto';
import { PersonalDataAccessView } from './access-log.views';

/** Who read which person's record, when and why: for admins, newest first. */
@Controller('access-log')
@Roles('admin')
export class AccessLogController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOkResponse({ description: 'newest first', type: [PersonalDataAccessView] })
  async list(@Query() query: AccessLogQuery): Promise<PersonalDataAccessView[]> {
    const q = this.dataSource.getRepository(PersonalDataAccess).createQueryBuilder('a');
    if (query.recordType) q.andWhere('a.recordType = :recordType', query);
    if (query.recordId) q.andWhere('a.recordId = :recordId', query);
    if (query.tokenId) q.andWhere('a.tokenId = :tokenId', query);
    if (query.from !== undefined) q.andWhere('a.at >= :from', query);
    if (query.to !== undefined) q.andWhere('a.at < :to', query);
    const rows = await q
      .orderBy('a.id', 'DESC')
      .take(query.limit ?? 100)
      .getMany();
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }
}
