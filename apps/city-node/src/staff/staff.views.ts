import { ApiProperty } from '@nestjs/swagger';
import { NODE_LEVELS, NODE_STATUSES } from '@yipanqi/directory';
import { ROLES } from '@yipanqi/http-api';

/** GET /auth/me: the token's holder and the node it was issued on. */
export class MeView {
  @ApiProperty({ enum: ROLES })
  role!: string;

  @ApiProperty({ description: 'who or what the token is for, as the admin labelled it' })
  label!: string;

  @ApiProperty({ example: '511500' })
  node!: string;

  @ApiProperty({ example: '宜宾市' })
  name!: string;
}

/** GET /directory: one node as the directory lists it, without its keys. */
export class DirectoryNodeView {
  @ApiProperty({ example: '441300' })
  code!: string;

  @ApiProperty({ example: '惠州市' })
  name!: string;

  @ApiProperty({ enum: NODE_LEVELS })
  level!: string;

  @ApiProperty({ enum: NODE_STATUSES })
  status!: string;
}
