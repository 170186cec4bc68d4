import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  AgreementContactV1,
  AgreementSlaV1,
  AgreementWeightsV1,
  SCOPE_DOMAINS,
  ScopeDomain,
} from '@yipanqi/contracts';

const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DATE_MESSAGE =
  'must be a date (YYYY-MM-DD, 00:00 China Standard Time) or an ISO 8601 instant';

/** SLAs, weights and contacts: optional in a draft (defaults apply) and in an amendment. */
class AgreementOptionsDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => AgreementSlaV1)
  sla?: AgreementSlaV1;

  @IsOptional()
  @ValidateNested()
  @Type(() => AgreementWeightsV1)
  weights?: AgreementWeightsV1;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AgreementContactV1)
  contacts?: AgreementContactV1[];
}

/** The parts of an agreement staff can change in an amendment; all optional. */
export class AmendAgreementDto extends AgreementOptionsDto {
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(SCOPE_DOMAINS, { each: true })
  scope?: ScopeDomain[];

  @IsOptional()
  @Matches(DATE_OR_INSTANT, { message: `termStart ${DATE_MESSAGE}` })
  termStart?: string;

  @IsOptional()
  @Matches(DATE_OR_INSTANT, { message: `termEnd ${DATE_MESSAGE}` })
  termEnd?: string;
}

/** POST /agreements: a draft with a partner; SLAs and weights default to DESIGN §7. */
export class DraftAgreementDto extends AgreementOptionsDto {
  @Matches(/^[1-9]\d{5}$/, { message: 'partner must be a 6-digit node code' })
  partner!: string;

  /** this node's role in the agreement */
  @IsIn(['inflow', 'outflow'])
  myRole!: 'inflow' | 'outflow';

  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(SCOPE_DOMAINS, { each: true })
  scope!: ScopeDomain[];

  @Matches(DATE_OR_INSTANT, { message: `termStart ${DATE_MESSAGE}` })
  termStart!: string;

  @Matches(DATE_OR_INSTANT, { message: `termEnd ${DATE_MESSAGE}` })
  termEnd!: string;
}

/** Countersigning or declining names the hash staff read, so nobody signs a text they did not see. */
export class AnswerOfferDto {
  @Matches(/^[A-Za-z0-9_-]{43}$/, {
    message: 'hash must be the offer hash shown by GET /agreements/:id',
  })
  hash!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

export class LifecycleDto {
  @IsString()
  @MaxLength(1000)
  reason!: string;
}
