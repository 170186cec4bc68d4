import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCOPE_DOMAINS } from '@yipanqi/contracts';
import type { EffectiveStatus, ScopeDomain } from '@yipanqi/contracts';
import type { VersionState } from './agreement.entities';

const EFFECTIVE_STATUSES: EffectiveStatus[] = [
  'draft',
  'proposed',
  'received',
  'active',
  'suspended',
  'declined',
  'terminated',
  'superseded',
  'expired',
  'not-yet-in-force',
];
const VERSION_STATES: VersionState[] = [
  'draft',
  'offered',
  'in-force',
  'replaced',
  'declined',
  'superseded',
];
const INSTANT = { format: 'date-time', example: '2026-01-01T00:00:00Z' };
const HASH = { description: 'SHA-256 of the canonical terms, base64url' };

/** Calendar hours a partner has to answer. */
export class AgreementSlaView {
  @ApiProperty({ type: 'integer' })
  receiptHours!: number;

  @ApiProperty({ type: 'integer' })
  responseHours!: number;

  @ApiProperty({ type: 'integer' })
  taskHours!: number;
}

/** Weights of the evaluation indicators R V T Q S. */
export class IndicatorWeightsView {
  @ApiProperty()
  R!: number;

  @ApiProperty()
  V!: number;

  @ApiProperty()
  T!: number;

  @ApiProperty()
  Q!: number;

  @ApiProperty()
  S!: number;
}

export class AgreementContactView {
  @ApiProperty()
  node!: string;

  @ApiProperty()
  office!: string;

  @ApiProperty()
  phone!: string;
}

/** The full text of one version (AgreementTermsV1). */
export class AgreementTermsView {
  @ApiProperty({ format: 'uuid' })
  agreementId!: string;

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty()
  inflow!: string;

  @ApiProperty()
  outflow!: string;

  @ApiProperty({ enum: SCOPE_DOMAINS, isArray: true })
  scope!: ScopeDomain[];

  @ApiProperty({ type: AgreementSlaView })
  sla!: AgreementSlaView;

  @ApiProperty({ type: IndicatorWeightsView })
  weights!: IndicatorWeightsView;

  @ApiProperty(INSTANT)
  termStart!: string;

  @ApiProperty(INSTANT)
  termEnd!: string;

  @ApiProperty({ type: [AgreementContactView] })
  contacts!: AgreementContactView[];
}

/** An agreement as GET /agreements lists it. */
export class AgreementSummaryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  partner!: string;

  @ApiProperty({ enum: ['inflow', 'outflow'] })
  myRole!: 'inflow' | 'outflow';

  @ApiProperty({ enum: EFFECTIVE_STATUSES, description: 'as staff see it now' })
  status!: EffectiveStatus;

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiPropertyOptional({ enum: SCOPE_DOMAINS, isArray: true })
  scope?: ScopeDomain[];

  @ApiPropertyOptional(INSTANT)
  termStart?: string;

  @ApiPropertyOptional(INSTANT)
  termEnd?: string;

  @ApiProperty({ description: 'an offer waits for an answer' })
  awaitingAnswer!: boolean;
}

/** One version of the text, with its signatures. */
export class AgreementVersionView {
  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty(HASH)
  hash!: string;

  @ApiProperty({ enum: VERSION_STATES })
  state!: VersionState;

  @ApiProperty()
  proposer!: string;

  @ApiProperty({ type: AgreementTermsView })
  terms!: AgreementTermsView;

  @ApiProperty({ type: String, nullable: true })
  proposerSignature!: string | null;

  @ApiProperty({ type: String, nullable: true })
  proposerKey!: string | null;

  @ApiProperty({ type: String, nullable: true })
  countersignature!: string | null;

  @ApiProperty({ type: String, nullable: true })
  countersignerKey!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  offerMessageId!: string | null;
}

/** One event of an agreement's history. */
export class AgreementEventView {
  @ApiProperty()
  action!: string;

  @ApiProperty()
  by!: string;

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  messageId!: string | null;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** An agreement with the text in force, every version and its history. */
export class AgreementView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  partner!: string;

  @ApiProperty({ enum: ['inflow', 'outflow'] })
  myRole!: 'inflow' | 'outflow';

  @ApiProperty({ enum: EFFECTIVE_STATUSES })
  status!: EffectiveStatus;

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty(HASH)
  hash!: string;

  @ApiProperty({ type: AgreementTermsView })
  terms!: AgreementTermsView;

  @ApiProperty({ type: [AgreementVersionView] })
  versions!: AgreementVersionView[];

  @ApiProperty({ type: [AgreementEventView] })
  history!: AgreementEventView[];
}

export class AgreementSignatureCheckView {
  @ApiProperty()
  node!: string;

  @ApiProperty({ type: String, nullable: true })
  key!: string | null;

  @ApiProperty({ type: String, nullable: true })
  signature!: string | null;

  @ApiProperty()
  valid!: boolean;
}

/** GET /agreements/:id/verification: both signatures of the version in force, checked. */
export class AgreementVerificationView {
  @ApiProperty({ format: 'uuid' })
  agreementId!: string;

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty(HASH)
  hash!: string;

  @ApiProperty()
  hashMatchesText!: boolean;

  @ApiProperty({ type: [AgreementSignatureCheckView] })
  signatures!: AgreementSignatureCheckView[];
}
