import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { NOTICE_CATEGORIES, NoticePiiV1, SCOPE_DOMAINS, ScopeDomain } from '@yipanqi/contracts';

/** POST /notices: the readable routing fields plus the title and text that travel encrypted. */
export class SendNoticeDto extends NoticePiiV1 {
  @Matches(/^[1-9]\d{5}$/, { message: 'to must be a 6-digit node code' })
  to!: string;

  @IsIn(NOTICE_CATEGORIES)
  category!: (typeof NOTICE_CATEGORIES)[number];

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  /** the agreement to send under; by default the one in force with `to` that covers `domain` */
  @IsOptional()
  @IsUUID()
  agreementId?: string;
}

/** GET /notices filters. */
export class ListNoticesQuery {
  @IsOptional()
  @IsIn(['sent', 'received'])
  direction?: 'sent' | 'received';

  /** received notices staff have (`true`) or have not yet (`false`) acknowledged */
  @IsOptional()
  @IsIn(['true', 'false'])
  acknowledged?: 'true' | 'false';

  /** `true`: each notice with its title, with X-Access-Purpose (the reads are access-logged) */
  @IsOptional()
  @IsIn(['true', 'false'])
  reveal?: 'true' | 'false';

  /** at most this many, newest first (default 100) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
