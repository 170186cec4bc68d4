import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import {
  MessageOf,
  MigrantCircumstancesV1,
  MigrantDeparturePayloadV1,
  MigrantDeparturePiiV1,
  MigrantUpdatedPayloadV1,
  MigrantUpdatedPiiV1,
  PersonV1,
} from '@yipanqi/contracts';
import { blindIndex, decryptAtRest, encryptAtRest, encryptPii } from '@yipanqi/crypto';
import {
  ExchangeNode,
  MessageRefused,
  OutgoingMessage,
  PeerKeys,
  ReceivedMessage,
  RecordRefusals,
} from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { Transactions, insertRows } from '@yipanqi/persistence';
import { AccessLog, AccessReason, requirePurpose } from '../access-log/access-log';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { partnerKey } from '../exchange/flow-sending';
import { CITY_NODE_CONFIG } from '../tokens';
import { blindIndexOfName, MigrantArrivals } from './migrant-arrivals';
import {
  ARRIVAL_FIELDS,
  ArrivalInput,
  changedFields,
  chinaToday,
  departureDateProblem,
  MigrantEvent,
  problemCode,
  transition,
  UpdatableValues,
  validateArrivalRow,
} from './migrant-rules';
import { Migrant } from './migrant.entity';
import {
  BulkArrivalResult,
  DepartureDto,
  RegisterArrivalDto,
  RegisterArrivalsDto,
  SearchMigrantsQuery,
  UpdateMigrantDto,
} from './migrant.dto';

/** What a record holds encrypted: the person and their circumstances. */
export interface MigrantPii extends MigrantCircumstancesV1 {
  person: PersonV1;
}

/** A record without personal data: what lists show. */
export type MigrantView = Omit<
  Migrant,
  'pii' | 'idIndex' | 'nameIndex' | 'createdAt' | 'updatedAt'
> & {
  createdAt: string;
  updatedAt: string;
};

export type RevealedMigrant = MigrantView & MigrantPii;

export interface NextNodeNotice {
  node: string;
  notified: boolean;
  messageId?: string;
  /** why it was not told: a problem code (NO_AGREEMENT, OUT_OF_SCOPE, AGREEMENT_INACTIVE, UNKNOWN_PARTNER …) */
  reason?: string;
  detail?: string;
}

/**
 * The migrant flow on this node (DESIGN §4 migrant.*): what staff do through
 * the API, and what partners' messages do when they arrive. Arrivals go
 * through MigrantArrivals, the core the campaign import shares.
 */
/** Rows per INSERT / IN list: well inside SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;

@Injectable()
export class MigrantsService {
  private readonly me: string;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly agreements: AgreementsService,
    private readonly arrivals: MigrantArrivals,
    private readonly accessLog: AccessLog,
  ) {
    this.me = config.nodeCode;
  }

  // ---- staff actions --------------------------------------------------------

  async registerArrival(dto: RegisterArrivalDto) {
    const checked = validateArrivalRow({ ...dto }, { me: this.me, today: chinaToday() });
    if (checked.errors) {
      throw new ProblemError(
        400,
        problemCode(checked.errors),
        'The arrival is not valid',
        checked.errors.map((e) => e.problem).join('; '),
        { errors: checked.errors },
      );
    }
    const [prepared] = await this.arrivals.prepare([checked.arrival]);
    const [result] = await this.transactions
      .run((m) => this.arrivals.register(m, [prepared]))
      .catch((err: unknown) => {
        // two requests for one person raced past the check (PostgreSQL): the unique index decides
        const code = err instanceof QueryFailedError && (err.driverError as { code?: string }).code;
        throw code === '23505' ? alreadyRegistered() : err;
      });
    if (result.outcome === 'refused') {
      throw new ProblemError(
        result.status,
        result.code,
        'The arrival cannot be registered',
        result.detail,
      );
    }
    return {
      id: result.recordId,
      status: 'registered',
      outflowNode: result.outflowNode,
      agreementId: result.agreementId,
      messageId: result.messageId,
      previousRecordId: result.previousRecordId,
    };
  }

  /**
   * Registers many arrivals in one transaction; they travel to each outflow
   * node as records of `migrant.arrival.bulk` messages (DESIGN §3). One
   * result per row, in order: registered, or refused with the problem code
   * the same row would get from POST /migrants/arrivals.
   */
  async registerArrivals(dto: RegisterArrivalsDto): Promise<BulkArrivalResult[]> {
    const context = { me: this.me, today: chinaToday() };
    const results: (BulkArrivalResult | undefined)[] = dto.arrivals.map(() => undefined);
    const valid: { row: number; arrival: ArrivalInput }[] = [];
    for (const [row, raw] of dto.arrivals.entries()) {
      const unknown = Object.keys(raw).filter(
        (field) => !ARRIVAL_FIELDS.some((known) => known === field),
      );
      const checked = validateArrivalRow(raw, context);
      const errors = [
        ...unknown.map((field) => ({
          field,
          code: 'UNKNOWN_FIELD' as const,
          problem: `${field} is not a field of an arrival`,
        })),
        ...(checked.errors ?? []),
      ];
      if (errors.length > 0 || !checked.arrival) {
        results[row] = {
          row,
          outcome: 'refused',
          status: 400,
          code: problemCode(errors),
          detail: errors.map((e) => e.problem).join('; '),
          errors,
        };
      } else {
        valid.push({ row, arrival: checked.arrival });
      }
    }
    if (valid.length > 0) {
      const prepared = await this.arrivals.prepare(
        valid.map((v) => v.arrival),
        'bulk',
      );
      const registered = await this.transactions
        .run((m) => this.arrivals.register(m, prepared))
        .catch((err: unknown) => {
          const code =
            err instanceof QueryFailedError && (err.driverError as { code?: string }).code;
          throw code === '23505' ? alreadyRegistered() : err;
        });
      for (const [i, result] of registered.entries()) {
        const { row } = valid[i];
        results[row] =
          result.outcome === 'refused'
            ? { row, ...result }
            : {
                row,
                outcome: 'registered',
                id: result.recordId,
                outflowNode: result.outflowNode,
                agreementId: result.agreementId,
                messageId: result.messageId,
                previousRecordId: result.previousRecordId,
              };
      }
    }
    return results.flatMap((r) => (r ? [r] : []));
  }

  /**
   * Records that the person left: tells the outflow node and, when the person
   * went on to a partner of ours, that partner too (so it can expect them).
   */
  async depart(id: string, dto: DepartureDto) {
    const record = await this.load(this.dataSource.manager, id, 'depart');
    const dateProblem = departureDateProblem(dto.leftOn, record.arrivedOn, chinaToday());
    if (dateProblem) {
      throw new ProblemError(
        dateProblem.code === 'DATE_IN_FUTURE' ? 400 : 422,
        dateProblem.code,
        'The departure date is not possible',
        dateProblem.detail,
      );
    }
    if (dto.nextNode === this.me) {
      throw new ProblemError(
        422,
        'NEXT_NODE_IS_THIS_NODE',
        'The person cannot move on to here',
        'nextNode is this node, where the person is leaving from',
      );
    }
    // the person's way home needs one message: the outflow node is the next node
    const nextNode = dto.nextNode && dto.nextNode !== record.outflowNode ? dto.nextNode : undefined;
    const pii = await this.piiOf(record);
    const outflowKey = partnerKey(this.peers, record.peer);
    const nextKey = nextNode ? this.peers.encryptionKey(nextNode) : undefined;
    const forNextPii: MigrantDeparturePiiV1 = { ...pii };
    const [forOutflow, forNext] = await Promise.all([
      encryptPii({} satisfies MigrantDeparturePiiV1, outflowKey),
      nextKey ? encryptPii(forNextPii, nextKey) : undefined,
    ]);
    const readable = {
      recordId: record.id,
      leftOn: dto.leftOn,
      ...(dto.nextNode ? { nextNode: dto.nextNode } : {}),
      outflowNode: record.outflowNode,
      householdDivision: record.householdDivision,
    };

    return this.transactions.run(async (m) => {
      const current = await this.load(m, id, 'depart');
      const toOutflow: MigrantDeparturePayloadV1 = { ...readable, pii: forOutflow };
      const agreementId = await this.agreements.agreementForFlow(
        m,
        current.peer,
        'migrant.departure',
        { ...toOutflow },
        dto.agreementId,
      );
      const messages: OutgoingMessage[] = [
        {
          to: current.peer,
          type: 'migrant.departure',
          agreementId,
          correlationId: current.id,
          payload: { ...toOutflow },
        },
      ];
      let next: NextNodeNotice | undefined;
      if (nextNode) {
        next = { node: nextNode, notified: false };
        if (!forNext) {
          Object.assign(next, {
            reason: 'UNKNOWN_PARTNER',
            detail: `no keys for node ${nextNode}`,
          });
        } else {
          const toNext: MigrantDeparturePayloadV1 = { ...readable, pii: forNext };
          const nextAgreement = await this.nextAgreement(m, nextNode, toNext, dto.nextAgreementId);
          if (nextAgreement instanceof ProblemError) {
            Object.assign(next, { reason: nextAgreement.code, detail: nextAgreement.detail });
          } else {
            messages.push({
              to: nextNode,
              type: 'migrant.departure',
              agreementId: nextAgreement,
              correlationId: current.id,
              payload: { ...toNext },
            });
          }
        }
      }
      const envelopes = await this.exchange.outbox.enqueueAll(m, messages);
      if (next && envelopes[1]) Object.assign(next, { notified: true, messageId: envelopes[1].id });
      await m.update(
        Migrant,
        { id },
        {
          status: 'departed',
          leftOn: dto.leftOn,
          nextNode: dto.nextNode ?? null,
          agreementId,
          updatedAt: Date.now(),
        },
      );
      return {
        id,
        status: 'departed',
        leftOn: dto.leftOn,
        outflow: { node: current.peer, messageId: envelopes[0].id },
        ...(next ? { next } : {}),
      };
    });
  }

  /** The next node is told only under an agreement in force; a named agreement that fails is an error. */
  private async nextAgreement(
    m: EntityManager,
    nextNode: string,
    payload: MigrantDeparturePayloadV1,
    named: string | undefined,
  ): Promise<string | ProblemError> {
    try {
      return await this.agreements.agreementForFlow(
        m,
        nextNode,
        'migrant.departure',
        { ...payload },
        named,
      );
    } catch (err) {
      if (err instanceof ProblemError && !named) return err;
      throw err;
    }
  }

  /** Changes circumstances and tells the partner that holds the other side of the record. */
  async update(id: string, dto: UpdateMigrantDto) {
    const { agreementId: named, ...patch } = dto;
    const values = definedValues(patch);
    if (Object.keys(values).length === 0) {
      throw new ProblemError(
        400,
        'NOTHING_TO_UPDATE',
        'Nothing to update',
        'name at least one of phone, address, maritalStatus, children, residencePermitNumber',
      );
    }
    const record = await this.load(this.dataSource.manager, id, 'update');
    const changed = changedFields(updatableValues(await this.piiOf(record)), values);
    if (changed.length === 0) return { id, changed, messageId: null };
    const secret: MigrantUpdatedPiiV1 = Object.fromEntries(changed.map((f) => [f, values[f]]));
    const forPartner = await encryptPii(secret, partnerKey(this.peers, record.peer));
    const payload: MigrantUpdatedPayloadV1 = { recordId: id, changed, pii: forPartner };

    return this.transactions.run(async (m) => {
      const current = await this.load(m, id, 'update');
      const agreementId = await this.agreements.agreementForFlow(
        m,
        current.peer,
        'migrant.updated',
        { ...payload },
        named,
      );
      const envelope = await this.exchange.outbox.enqueue(m, {
        to: current.peer,
        type: 'migrant.updated',
        agreementId,
        correlationId: id,
        payload: { ...payload },
      });
      await this.applyChanges(m, current, secret);
      return { id, changed, messageId: envelope.id };
    });
  }

  async search(query: SearchMigrantsQuery, reason: AccessReason | undefined) {
    // Finding a person by ID number or name is itself a read of personal data.
    const lookup = query.idNumber !== undefined || query.name !== undefined;
    const stated = lookup || query.reveal ? requirePurpose(reason) : undefined;
    const limit = query.limit ?? 50;
    const page = query.page ?? 1;
    const q = this.dataSource.getRepository(Migrant).createQueryBuilder('m');
    if (query.idNumber)
      q.andWhere('m.idIndex = :idIndex', { idIndex: blindIndex(this.dataKey, query.idNumber) });
    if (query.name)
      q.andWhere('m.nameIndex = :nameIndex', {
        nameIndex: blindIndexOfName(this.dataKey, query.name),
      });
    if (query.status) q.andWhere('m.status = :status', query);
    if (query.side) q.andWhere('m.side = :side', query);
    if (query.householdDivision) q.andWhere('m.householdDivision = :householdDivision', query);
    if (query.outflowNode) q.andWhere('m.outflowNode = :outflowNode', query);
    if (query.inflowNode) q.andWhere('m.inflowNode = :inflowNode', query);
    if (query.arrivedFrom) q.andWhere('m.arrivedOn >= :arrivedFrom', query);
    if (query.arrivedTo) q.andWhere('m.arrivedOn <= :arrivedTo', query);
    const [rows, total] = await q
      .orderBy('m.createdAt', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    if (stated) {
      await this.accessLog.recordReads(
        stated,
        'migrant',
        rows.map((r) => r.id),
      );
    }
    const items = query.reveal
      ? await Promise.all(rows.map(async (r) => ({ ...view(r), ...(await this.piiOf(r)) })))
      : rows.map(view);
    return { total, page, limit, items };
  }

  async get(id: string, reason: AccessReason): Promise<RevealedMigrant> {
    const record = await this.find(this.dataSource.manager, id);
    const pii = await this.piiOf(record);
    await this.accessLog.recordReads(reason, 'migrant', [id]);
    return { ...view(record), ...pii };
  }

  // ---- partners' messages (the agreement gate has accepted them) -------------

  /** Our registered resident now lives at the sender. */
  async onArrival(m: EntityManager, message: ReceivedMessage<'migrant.arrival'>): Promise<void> {
    const refusal = (await this.arrivalsReceived(m, [message])).get(message.envelope.id);
    if (refusal) throw new MessageRefused(refusal.reason, refusal.detail);
  }

  /** The same for each record of a bulk (DESIGN §3): the refused ones are in the receipt. */
  onArrivals(
    m: EntityManager,
    bulk: ReceivedMessage<'migrant.arrival.bulk'>,
  ): Promise<RecordRefusals> {
    return this.arrivalsReceived(m, bulk.records);
  }

  /**
   * The one rule for received arrivals, alone or in bulk: the thread is the
   * record id, and a record id this node knows already is refused.
   */
  private async arrivalsReceived(
    m: EntityManager,
    messages: MessageOf<'migrant.arrival'>[],
  ): Promise<RecordRefusals> {
    const refused = new RecordRefusals();
    const recordIds = messages.map((x) => x.envelope.payload.recordId);
    const known = new Set<string>();
    for (let i = 0; i < recordIds.length; i += ROWS_PER_STATEMENT) {
      const rows = await m.find(Migrant, {
        select: { id: true },
        where: { id: In(recordIds.slice(i, i + ROWS_PER_STATEMENT)) },
      });
      for (const row of rows) known.add(row.id);
    }
    const going: MessageOf<'migrant.arrival'>[] = [];
    for (const message of messages) {
      const { envelope } = message;
      const { recordId } = envelope.payload;
      if (envelope.correlationId !== recordId) {
        refused.set(envelope.id, {
          reason: 'SCHEMA_INVALID',
          detail: 'the correlationId must be the record id',
        });
      } else if (known.has(recordId)) {
        refused.set(envelope.id, {
          reason: 'SCHEMA_INVALID',
          detail: `record ${recordId} is already known`,
        });
      } else {
        known.add(recordId);
        going.push(message);
      }
    }
    const now = Date.now();
    const rows = await Promise.all(
      going.map(async ({ envelope, pii }) => {
        const { payload } = envelope;
        return {
          id: payload.recordId,
          side: 'outflow' as const,
          status: 'living-elsewhere' as const,
          inflowNode: envelope.from,
          outflowNode: this.me,
          peer: envelope.from,
          agreementId: envelope.agreementId,
          householdDivision: payload.householdDivision,
          arrivedOn: payload.arrivedOn,
          leftOn: null,
          nextNode: null,
          previousRecordId: payload.previousRecordId ?? null,
          arrivalRecordId: null,
          campaignId: payload.campaignId ?? null,
          idIndex: blindIndex(this.dataKey, pii.person.idNumber),
          nameIndex: blindIndexOfName(this.dataKey, pii.person.name),
          pii: await encryptAtRest(pii, this.dataKey),
          createdAt: now,
          updatedAt: now,
        };
      }),
    );
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await insertRows(m, Migrant, rows.slice(i, i + ROWS_PER_STATEMENT));
    }
    return refused;
  }

  /**
   * A departure: to us as the outflow node (our resident left the sender), or
   * to us as the next inflow node (the person is on the way here).
   */
  async onDeparture(
    m: EntityManager,
    message: ReceivedMessage<'migrant.departure'>,
  ): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    assertThread(envelope.correlationId, payload.recordId);
    const now = Date.now();
    if (payload.outflowNode === this.me) {
      const record = await this.received(m, payload.recordId, envelope.from);
      refuseUnless(record, 'departure-received');
      await m.update(
        Migrant,
        { id: record.id },
        {
          status: 'departed',
          leftOn: payload.leftOn,
          nextNode: payload.nextNode ?? null,
          agreementId: envelope.agreementId,
          updatedAt: now,
        },
      );
      return;
    }
    const { pii } = message;
    if (payload.nextNode !== this.me || !pii.person) {
      throw new MessageRefused(
        'SCHEMA_INVALID',
        'a departure goes to the outflow node, or with the person to the next node',
      );
    }
    if (await m.findOne(Migrant, { where: { id: payload.recordId } })) {
      throw new MessageRefused('SCHEMA_INVALID', `record ${payload.recordId} is already known`);
    }
    await m.insert(Migrant, {
      id: payload.recordId,
      side: 'expected',
      status: 'expected',
      inflowNode: this.me,
      outflowNode: payload.outflowNode,
      peer: envelope.from,
      agreementId: envelope.agreementId,
      householdDivision: payload.householdDivision,
      arrivedOn: null,
      leftOn: payload.leftOn,
      nextNode: this.me,
      previousRecordId: null,
      arrivalRecordId: null,
      campaignId: null,
      idIndex: blindIndex(this.dataKey, pii.person.idNumber),
      nameIndex: blindIndexOfName(this.dataKey, pii.person.name),
      pii: await encryptAtRest(pii, this.dataKey),
      createdAt: now,
      updatedAt: now,
    });
  }

  /**
   * The partner changed the person's circumstances. Applied also to a record
   * that has been closed meanwhile: a crossing departure does not make the
   * partner's news wrong.
   */
  async onUpdated(m: EntityManager, message: ReceivedMessage<'migrant.updated'>): Promise<void> {
    const { envelope } = message;
    const { payload } = envelope;
    const { pii } = message;
    assertThread(envelope.correlationId, payload.recordId);
    const record = await this.received(m, payload.recordId, envelope.from);
    if (record.side === 'expected') {
      throw new MessageRefused('SCHEMA_INVALID', `record ${record.id} is only expected here`);
    }
    const carried = Object.keys(definedValues(pii)).sort();
    if (carried.join() !== [...payload.changed].sort().join()) {
      throw new MessageRefused('SCHEMA_INVALID', 'changed does not name exactly the fields in pii');
    }
    await this.applyChanges(m, record, pii);
  }

  // ---- helpers ---------------------------------------------------------------

  private async applyChanges(
    m: EntityManager,
    record: Migrant,
    values: UpdatableValues,
  ): Promise<void> {
    const current = await this.piiOf(record);
    const { phone, address, ...circumstances } = values as MigrantUpdatedPiiV1;
    const next: MigrantPii = {
      ...current,
      ...definedValues(circumstances),
      person: { ...current.person, ...definedValues({ phone, address }) },
    };
    await m.update(
      Migrant,
      { id: record.id },
      { pii: await encryptAtRest(next, this.dataKey), updatedAt: Date.now() },
    );
  }

  private async find(m: EntityManager, id: string): Promise<Migrant> {
    const record = await m.findOne(Migrant, { where: { id } });
    if (!record) {
      throw new ProblemError(404, 'MIGRANT_NOT_FOUND', 'No such migrant record', `no record ${id}`);
    }
    return record;
  }

  /** The record, if it may take `event` (409 with the specific code otherwise). */
  private async load(m: EntityManager, id: string, event: MigrantEvent): Promise<Migrant> {
    const record = await this.find(m, id);
    const next = transition(record, event);
    if ('problem' in next) {
      throw new ProblemError(
        409,
        next.problem.code,
        "Not possible in the record's state",
        next.problem.detail,
      );
    }
    return record;
  }

  /** The record the sender holds the other side of, or a refusal of its message. */
  private async received(m: EntityManager, id: string, from: string): Promise<Migrant> {
    const record = await m.findOne(Migrant, { where: { id, peer: from } });
    if (!record) throw new MessageRefused('SCHEMA_INVALID', `no record ${id} shared with ${from}`);
    return record;
  }

  private async piiOf(record: Migrant): Promise<MigrantPii> {
    return (await decryptAtRest(record.pii, this.dataKey)) as MigrantPii;
  }
}

/** Lists never carry the person; the blind indexes stay on the node too. */
function view(r: Migrant): MigrantView {
  return {
    id: r.id,
    side: r.side,
    status: r.status,
    inflowNode: r.inflowNode,
    outflowNode: r.outflowNode,
    peer: r.peer,
    agreementId: r.agreementId,
    householdDivision: r.householdDivision,
    arrivedOn: r.arrivedOn,
    leftOn: r.leftOn,
    nextNode: r.nextNode,
    previousRecordId: r.previousRecordId,
    arrivalRecordId: r.arrivalRecordId,
    campaignId: r.campaignId,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

function updatableValues(pii: MigrantPii): UpdatableValues {
  const { person, ...circumstances } = pii;
  return definedValues({ phone: person.phone, address: person.address, ...circumstances });
}

function definedValues<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function assertThread(correlationId: string | null, recordId: string): void {
  if (correlationId !== recordId) {
    throw new MessageRefused('SCHEMA_INVALID', 'the correlationId must be the record id');
  }
}

function refuseUnless(record: Migrant, event: MigrantEvent): void {
  const next = transition(record, event);
  if ('problem' in next) throw new MessageRefused('SCHEMA_INVALID', next.problem.detail);
}

function alreadyRegistered(): ProblemError {
  return new ProblemError(
    409,
    'MIGRANT_ALREADY_REGISTERED',
    'The person is already registered',
    'this person already has an active registration here',
  );
}
