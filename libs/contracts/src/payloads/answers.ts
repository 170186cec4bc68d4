import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { REJECTION_REASONS, RejectionReason } from '../message-types';
import { BulkRecordOutcomeV1, MAX_BULK_RECORDS } from './bulk';

/** 回执: the recipient confirms which envelope (id and hash) it received and applied. */
export class ReceiptPayloadV1 {
  @IsUUID()
  messageId!: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'messageHash must be a base64url SHA-256' })
  messageHash!: string;

  /**
   * LogAppendTime (epoch ms) of the record the answer is about, as the
   * recipient's inbox stamped it: the signed "sent at" of SLA clocks. The
   * auditor checks it against the record itself.
   */
  @IsInt()
  @Min(0)
  brokerTime!: number;
}

/**
 * The receipt of a bulk message (DESIGN §3): the envelope as v1 says, and one
 * outcome per record, in the order of the bulk's records.
 */
export class ReceiptPayloadV2 extends ReceiptPayloadV1 {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_RECORDS)
  @ValidateNested({ each: true })
  @Type(() => BulkRecordOutcomeV1)
  outcomes!: BulkRecordOutcomeV1[];
}

/** 退回: the recipient refuses an envelope, with a reason code and a readable detail. */
export class RejectionPayloadV1 extends ReceiptPayloadV1 {
  @IsIn(REJECTION_REASONS)
  reason!: RejectionReason;

  @IsString()
  @MaxLength(1000)
  detail!: string;
}
