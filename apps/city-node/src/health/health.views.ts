import { ApiProperty } from '@nestjs/swagger';

/** Liveness: the process answers. */
export class LivenessView {
  @ApiProperty({ enum: ['ok'] })
  status!: string;

  @ApiProperty({ enum: ['city-node'] })
  app!: string;

  @ApiProperty()
  node!: string;

  @ApiProperty()
  name!: string;
}

/** Readiness: every check passed (`degraded`: some incoming streams diverged). */
export class ReadinessView {
  @ApiProperty({ enum: ['ready', 'degraded'] })
  status!: string;

  @ApiProperty()
  node!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'per check (database, kafka, directory, inbox) its state and details',
  })
  checks!: Record<string, unknown>;
}
