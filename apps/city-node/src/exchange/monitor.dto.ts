import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/** A page of a newest-first list: at most `limit` items with ids below `before`. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;
}

export class RejectionsQuery extends PageQuery {
  @IsOptional()
  @IsIn(['sent', 'received'])
  direction?: 'sent' | 'received';
}
