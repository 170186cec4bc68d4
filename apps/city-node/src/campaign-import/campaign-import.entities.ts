import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintAsNumber } from '@yipanqi/persistence';
import type { ImportStatus } from './import-rules';

/**
 * One upload of a campaign file and how far it got. A campaign holds each
 * file once: the SHA-256 of its bytes is unique per campaign.
 */
@Entity('campaign_import')
@Unique(['campaignId', 'fileSha256'])
export class CampaignImport {
  /** UUIDv7 */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'campaign_id', type: 'varchar', length: 64 })
  campaignId!: string;

  @Column({ name: 'file_sha256', type: 'varchar', length: 64 })
  fileSha256!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: ImportStatus;

  /** how often the file was run: a re-upload after an interruption runs it again */
  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  bytes!: number;

  @Column({ name: 'bytes_parsed', type: 'bigint', transformer: bigintAsNumber })
  bytesParsed!: number;

  /** data rows read (blank rows are not counted) */
  @Column({ name: 'rows_read', type: 'integer' })
  rowsRead!: number;

  @Column({ name: 'rows_valid', type: 'integer' })
  rowsValid!: number;

  @Column({ name: 'rows_invalid', type: 'integer' })
  rowsInvalid!: number;

  /** valid rows registered and queued for the outflow node by this import */
  @Column({ name: 'rows_committed', type: 'integer' })
  rowsCommitted!: number;

  /** valid rows the campaign already had from another of its files */
  @Column({ name: 'rows_duplicate', type: 'integer' })
  rowsDuplicate!: number;

  /** valid rows the arrival core would not register (already registered here, no agreement …) */
  @Column({ name: 'rows_refused', type: 'integer' })
  rowsRefused!: number;

  /** findings kept for the report (at most MAX_FINDINGS) */
  @Column({ type: 'integer' })
  findings!: number;

  @Column({ name: 'failure_code', type: 'varchar', length: 40, nullable: true })
  failureCode!: string | null;

  @Column({ name: 'failure_detail', type: 'varchar', length: 500, nullable: true })
  failureDetail!: string | null;

  /** the token that uploaded it */
  @Column({ name: 'uploaded_by', type: 'varchar', length: 64 })
  uploadedBy!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt!: number;

  /** when the current attempt started */
  @Column({ name: 'started_at', type: 'bigint', transformer: bigintAsNumber })
  startedAt!: number;

  /** a running import's last sign of life; see isInterrupted */
  @Column({ name: 'heartbeat_at', type: 'bigint', transformer: bigintAsNumber })
  heartbeatAt!: number;

  @Column({ name: 'finished_at', type: 'bigint', transformer: bigintAsNumber, nullable: true })
  finishedAt!: number | null;
}

/** One finding of an import's report: what is wrong with which cell. Never the cell's value. */
@Entity('campaign_import_finding')
@Index(['importId', 'row'])
export class CampaignImportFinding {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'import_id', type: 'varchar', length: 36 })
  importId!: string;

  @Column({ type: 'integer' })
  row!: number;

  @Column({ type: 'varchar', length: 64 })
  field!: string;

  @Column({ type: 'varchar', length: 40 })
  code!: string;

  @Column({ type: 'varchar', length: 300 })
  message!: string;
}

/**
 * A person a campaign has registered: campaign + blind index of the ID
 * number. A row whose person is here already is skipped, from whichever of
 * the campaign's files it comes; written in the transaction that registers
 * the arrival.
 */
@Entity('campaign_import_row')
@Index(['importId'])
export class CampaignImportRow {
  @PrimaryColumn({ name: 'campaign_id', type: 'varchar', length: 64 })
  campaignId!: string;

  @PrimaryColumn({ name: 'id_index', type: 'varchar', length: 64 })
  idIndex!: string;

  @Column({ name: 'import_id', type: 'varchar', length: 36 })
  importId!: string;

  @Column({ type: 'integer' })
  row!: number;

  /** the arrival's record at this node */
  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;
}

export const CAMPAIGN_IMPORT_ENTITIES = [CampaignImport, CampaignImportFinding, CampaignImportRow];
