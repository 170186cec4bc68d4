import { ApiProperty } from '@nestjs/swagger';

/** Liveness: the process answers. */
export class LivenessView {
  @ApiProperty({ enum: ['ok'] })
  status!: string;

  @ApiProperty({ enum: ['coordinator'] })
  app!: string;
}

/** Readiness: the database and the broker answer. */
export class ReadinessView {
  @ApiProperty({ enum: ['ready'] })
  status!: string;

  @ApiProperty({ enum: ['coordinator'] })
  app!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'per check (database, kafka) its state and details',
  })
  checks!: Record<string, unknown>;
}
