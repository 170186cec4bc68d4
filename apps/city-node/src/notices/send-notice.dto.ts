import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { NOTICE_CATEGORIES, SCOPE_DOMAINS, ScopeDomain } from '@yipanqi/contracts';

export class SendNoticeDto {
  @Matches(/^[1-9]\d{5}$/, { message: 'to must be a 6-digit node code' })
  to!: string;

  @IsIn(NOTICE_CATEGORIES)
  category!: (typeof NOTICE_CATEGORIES)[number];

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @IsString()
  @MaxLength(20000)
  text!: string;
}
