import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NOTICE_CATEGORIES, SCOPE_DOMAINS } from '@yipanqi/contracts';
import { Delivery } from './delivery';
import { Notice } from './notice.entity';

/** A notice as lists show it: no title or text. Times are epoch milliseconds. */
export class NoticeView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['sent', 'received'] })
  direction!: Notice['direction'];

  @ApiProperty({ description: 'the partner it went to or came from' })
  peer!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agreementId!: string | null;

  @ApiProperty({ enum: NOTICE_CATEGORIES })
  category!: string;

  @ApiProperty({ enum: SCOPE_DOMAINS })
  domain!: string;

  @ApiProperty({ type: 'integer', description: 'epoch milliseconds' })
  createdAt!: number;

  @ApiProperty({
    type: Delivery,
    nullable: true,
    description: 'sent notices: receipt or rejection (with its reason) from the partner',
  })
  delivery!: Delivery | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'received notices: when staff here acknowledged reading it (epoch milliseconds)',
  })
  acknowledgedAt!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'and who (the token label)' })
  acknowledgedBy!: string | null;
}

/** A notice in a list: with `reveal=true` also its title (each one an access-logged read). */
export class ListedNoticeView extends NoticeView {
  @ApiPropertyOptional({ description: 'only with reveal=true and X-Access-Purpose' })
  title?: string;
}

/** One notice with its title and text. */
export class RevealedNoticeView extends NoticeView {
  @ApiProperty()
  title!: string;

  @ApiProperty()
  text!: string;
}

/** POST /notices: the notice recorded and queued for the partner. */
export class NoticeSentView {
  @ApiProperty({ format: 'uuid', description: 'the notice, also the id of its message' })
  id!: string;
}
