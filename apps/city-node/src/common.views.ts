import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The person a record is about (PersonV1), in the answers that reveal it. */
export class PersonView {
  @ApiProperty({ description: '18-digit resident ID number', example: '110101199003074514' })
  idNumber!: string;

  @ApiProperty()
  name!: string;

  @ApiPropertyOptional()
  phone?: string;

  @ApiPropertyOptional()
  address?: string;
}

/** The answer of a flow action that queued one message for the partner. */
export class QueuedMessageView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'the message queued for the partner' })
  messageId!: string;
}
