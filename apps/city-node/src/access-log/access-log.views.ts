import { ApiProperty } from '@nestjs/swagger';

/** One read of personal data: who, which record, when and why. */
export class PersonalDataAccessView {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ description: 'the token that read it' })
  tokenId!: string;

  @ApiProperty()
  role!: string;

  @ApiProperty({ description: "the token's label" })
  label!: string;

  @ApiProperty({ example: 'migrant' })
  recordType!: string;

  @ApiProperty()
  recordId!: string;

  @ApiProperty({ description: 'the X-Access-Purpose given' })
  purpose!: string;
}
