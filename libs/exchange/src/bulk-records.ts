import {
  BULK_FORMS,
  BulkRecordType,
  BulkType,
  Envelope,
  hasValidPayload,
  hasValidPii,
  isBulkType,
  MessageOf,
} from '@yipanqi/contracts';
import type { Refusal } from './inbox-processor';

/**
 * Records a bulk handler refused, by record id, each with the reason the
 * record alone would have been rejected for. A class so that the transport
 * can tell a bulk handler's answer from any other return value.
 */
export class RecordRefusals extends Map<string, Refusal> {}

export function isBulkMessage(message: MessageOf): message is MessageOf<BulkType> {
  return isBulkType(message.envelope.type);
}

function isRecordMessage(message: MessageOf): message is MessageOf<BulkRecordType> {
  return Object.values(BULK_FORMS).some((type) => type === message.envelope.type);
}

/** A bulk's records before the domain sees them (DESIGN §3 "Bulk form"). */
export interface SplitBulk {
  /** each record that passed its own schema, as the message it would have been alone */
  records: MessageOf<BulkRecordType>[];
  /** record id → why it is refused already (its schema); a repeated id is in neither list */
  refused: Map<string, Refusal>;
}

/**
 * Splits a checked bulk into the messages its records would have been alone:
 * the bulk's envelope with the record's id, type and thread, its payload
 * with the bulk's JWE in place of its own, and its share of the decrypted
 * `pii`. Each is checked with the single type's schemas, so a record means
 * exactly what it would have meant alone; a record that fails is refused on
 * its own and the others go on. The whole bulk is refused only when its
 * records and its `pii` do not line up.
 */
export function splitBulk(message: MessageOf<BulkType>): SplitBulk | Refusal {
  const { envelope, pii } = message;
  const { records } = envelope.payload;
  if (pii.records.length !== records.length) {
    return {
      reason: 'SCHEMA_INVALID',
      detail: `pii.records: ${pii.records.length} entries for ${records.length} records`,
    };
  }
  const split: SplitBulk = { records: [], refused: new Map() };
  const seen = new Set<string>();
  for (const [i, record] of records.entries()) {
    const refuse = (refusal: Refusal) => split.refused.set(record.id, refusal);
    // a repeated id is refused by position when the receipt is made (inbox-processor applyBulk)
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    if (Object.hasOwn(record.payload, 'pii')) {
      refuse({
        reason: 'SCHEMA_INVALID',
        detail: `records[${i}].payload: a record's pii travels in the bulk's pii`,
      });
      continue;
    }
    const single: Envelope = {
      ...envelope,
      id: record.id,
      type: BULK_FORMS[envelope.type],
      correlationId: record.correlationId ?? null,
      payload: { ...record.payload, pii: envelope.payload.pii },
    };
    const problems: string[] = [];
    if (!hasValidPayload(single, problems)) {
      refuse({ reason: 'SCHEMA_INVALID', detail: `records[${i}]: ${problems.join('; ')}` });
      continue;
    }
    const alone = { envelope: single, pii: pii.records[i] };
    if (!hasValidPii(alone, problems) || !isRecordMessage(alone)) {
      const found = problems.map((x) => `pii.records[${i}].${x}`).join('; ');
      refuse({ reason: 'SCHEMA_INVALID', detail: found || `records[${i}]: not a bulk record` });
      continue;
    }
    split.records.push(alone);
  }
  return split;
}
