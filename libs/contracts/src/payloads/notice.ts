import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SCOPE_DOMAINS, ScopeDomain } from '../message-types';
import { IsPersonText } from './person';

export const NOTICE_CATEGORIES = ['policy', 'person', 'campaign', 'other'] as const;

/** 信息通报: readable part. The text may name people, so it travels in `pii`. */
export class NoticePayloadV1 {
  @IsIn(NOTICE_CATEGORIES)
  category!: (typeof NOTICE_CATEGORIES)[number];

  @IsIn(SCOPE_DOMAINS)
  domain!: ScopeDomain;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, {
    message: 'pii must be a JWE compact serialization',
  })
  pii!: string;
}

/** 信息通报: the encrypted part. */
export class NoticePiiV1 {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsPersonText()
  title!: string;

  @IsString()
  @MaxLength(20000)
  text!: string;
}
