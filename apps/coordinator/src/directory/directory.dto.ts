import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { NODE_LEVELS, NodeLevel } from '@yipanqi/directory';
import { REGISTRATION_STATUSES, RegistrationStatus } from './directory.entities';

const RAW_KEY = /^[A-Za-z0-9_-]{43}$/;
const RAW_KEY_MESSAGE = '$property must be a raw 32-byte public key in base64url (43 characters)';
const NODE_CODE = /^[1-9]\d{5}$/;

export class NodeKeysDto {
  @ApiProperty({ description: 'Ed25519 public key, raw 32 bytes, base64url', example: 'Q0X…' })
  @Matches(RAW_KEY, { message: RAW_KEY_MESSAGE })
  signingKey!: string;

  @ApiProperty({ description: 'X25519 public key, raw 32 bytes, base64url' })
  @Matches(RAW_KEY, { message: RAW_KEY_MESSAGE })
  encryptionKey!: string;
}

export class RegisterNodeDto extends NodeKeysDto {
  @ApiProperty({ description: '6-digit GB/T 2260 division code', example: '441300' })
  @Matches(NODE_CODE, { message: 'code must be a 6-digit division code' })
  code!: string;

  @ApiPropertyOptional({
    description: 'must match the division dataset when given',
    example: '惠州市',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: NODE_LEVELS, description: 'must match the code when given' })
  @IsOptional()
  @IsIn(NODE_LEVELS)
  level?: NodeLevel;
}

export class RotateKeysDto extends NodeKeysDto {
  @ApiPropertyOptional({
    description:
      'epoch ms from which the new keys count (broker time); default: as soon as allowed',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  validFrom?: number;
}

export class RegistrationRequestDto extends NodeKeysDto {
  @ApiProperty({ example: '441300' })
  @Matches(NODE_CODE, { message: 'code must be a 6-digit division code' })
  code!: string;

  @ApiPropertyOptional({ example: '惠州市' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiProperty({ description: "the node's Ed25519 signature over its registration statement" })
  @IsString()
  @Length(1, 200)
  proof!: string;
}

export class RejectRegistrationDto {
  @ApiPropertyOptional({ description: 'why, for the node operator' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class RegistrationQueryDto {
  @ApiPropertyOptional({ enum: REGISTRATION_STATUSES })
  @IsOptional()
  @IsIn(REGISTRATION_STATUSES)
  status?: RegistrationStatus;
}
