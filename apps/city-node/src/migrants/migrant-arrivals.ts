import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MAX_BULK_RECORDS, MigrantArrivalPayloadV1, MigrantArrivalPiiV1 } from '@yipanqi/contracts';
import { blindIndex, encryptAtRest, encryptPii } from '@yipanqi/crypto';
import { ExchangeNode, OutgoingMessage, PeerKeys } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { CITY_NODE_CONFIG } from '../tokens';
import { ArrivalInput } from './migrant-rules';
import { Migrant } from './migrant.entity';
import { insertRows } from '@yipanqi/persistence';

/** An arrival encrypted and indexed, ready to be registered (no database needed to make it). */
export interface PreparedArrival {
  input: ArrivalInput;
  recordId: string;
  idIndex: string;
  nameIndex: string;
  /** what travels to the outflow node in `pii` */
  secret: MigrantArrivalPiiV1;
  /**
   * `alone`: its own `migrant.arrival`, whose JWE to the outflow node is
   * made here (null when the directory has no keys for it); `bulk`: a record
   * of a `migrant.arrival.bulk`, encrypted with the others of its bulk.
   */
  form: { kind: 'alone'; forPartner: string | null } | { kind: 'bulk' };
  /** under the node-local data key */
  atRest: string;
}

/** How arrivals travel: one message each (the API), or records of bulk messages (campaign imports). */
export type ArrivalForm = 'alone' | 'bulk';

export type ArrivalResult =
  | {
      outcome: 'registered';
      recordId: string;
      outflowNode: string;
      agreementId: string;
      messageId: string;
      /** the expected entry (a previous inflow node's announcement) this arrival answered */
      previousRecordId: string | null;
    }
  | { outcome: 'refused'; status: number; code: string; detail: string };

/** A record on its way into a bulk. */
interface BulkRecordDraft {
  to: string;
  agreementId: string;
  id: string;
  readable: Omit<MigrantArrivalPayloadV1, 'pii'>;
  secret: MigrantArrivalPiiV1;
}

/** How many people are encrypted at once: enough to keep both cores busy, few enough to stay responsive. */
const ENCRYPTION_CHUNK = 200;
/** Rows per INSERT / IN list: well inside SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;

/**
 * A bulk's payload stays under the exchange's 64 KiB limit (MAX_PAYLOAD_BYTES)
 * with room for the envelope fields: a record is counted with its readable
 * JSON and its pii's JSON grown by the JWE's base64url (4/3).
 */
const BULK_PAYLOAD_BUDGET = 56 * 1024;

/** Rows to one outflow node under one named (or the default) agreement share the agreement check. */
function agreementGroup(p: PreparedArrival): string {
  return `${p.input.outflowNode}/${p.input.agreementId ?? ''}`;
}

export function blindIndexOfName(dataKey: KeyObject, name: string): string {
  return blindIndex(dataKey, `name:${name}`);
}

/**
 * The arrival core: registers validated arrivals (one from the API, many from
 * a campaign import) and queues one `migrant.arrival` each for its outflow
 * node. `prepare` does the expensive part (ECDH-ES per person) outside any
 * transaction; `register` runs inside the caller's transaction and writes the
 * records and their envelopes together, so they commit or roll back as one.
 * A row that may not be registered (already registered here, no agreement,
 * unknown partner) is refused on its own; the others go ahead.
 */
@Injectable()
export class MigrantArrivals {
  private readonly me: string;

  constructor(
    @Inject(CITY_NODE_CONFIG) config: CityNodeConfig,
    @InjectDataKey() private readonly dataKey: KeyObject,
    @InjectPeerKeys() private readonly peers: PeerKeys,
    private readonly exchange: ExchangeNode,
    private readonly agreements: AgreementsService,
  ) {
    this.me = config.nodeCode;
  }

  /** Encrypts and indexes arrivals, a chunk of them in parallel. */
  async prepare(arrivals: ArrivalInput[], form: ArrivalForm = 'alone'): Promise<PreparedArrival[]> {
    const prepared: PreparedArrival[] = [];
    for (let i = 0; i < arrivals.length; i += ENCRYPTION_CHUNK) {
      const chunk = arrivals.slice(i, i + ENCRYPTION_CHUNK);
      prepared.push(...(await Promise.all(chunk.map((input) => this.prepareOne(input, form)))));
    }
    return prepared;
  }

  private async prepareOne(input: ArrivalInput, form: ArrivalForm): Promise<PreparedArrival> {
    const secret: MigrantArrivalPiiV1 = {
      person: input.person,
      maritalStatus: input.maritalStatus,
      ...(input.residencePermitNumber === undefined
        ? {}
        : { residencePermitNumber: input.residencePermitNumber }),
      ...(input.children === undefined ? {} : { children: input.children }),
    };
    const partnerKey = this.peers.encryptionKey(input.outflowNode);
    const [forPartner, atRest] = await Promise.all([
      form === 'alone' && partnerKey ? encryptPii(secret, partnerKey) : null,
      encryptAtRest(secret, this.dataKey),
    ]);
    return {
      input,
      recordId: uuidv7(),
      idIndex: blindIndex(this.dataKey, input.person.idNumber),
      nameIndex: blindIndexOfName(this.dataKey, input.person.name),
      secret,
      form: form === 'alone' ? { kind: 'alone', forPartner } : { kind: 'bulk' },
      atRest,
    };
  }

  /** Registers prepared arrivals in the caller's transaction; one result per arrival, in order. */
  async register(manager: EntityManager, prepared: PreparedArrival[]): Promise<ArrivalResult[]> {
    const results: (ArrivalResult | undefined)[] = prepared.map(() => undefined);
    const refuse = (i: number, status: number, code: string, detail: string) => {
      results[i] = { outcome: 'refused', status, code, detail };
    };

    const active = new Set(
      (await this.findByIndex(manager, prepared, { side: 'inflow', status: 'registered' })).map(
        (m) => m.idIndex,
      ),
    );
    const agreementOf = new Map<string, string | ProblemError>();
    for (const [i, p] of prepared.entries()) {
      if (active.has(p.idIndex)) {
        refuse(
          i,
          409,
          'MIGRANT_ALREADY_REGISTERED',
          'this person already has an active registration here',
        );
        continue;
      }
      const partnerKnown =
        p.form.kind === 'alone'
          ? p.form.forPartner !== null
          : this.peers.encryptionKey(p.input.outflowNode) !== undefined;
      if (!partnerKnown) {
        refuse(i, 422, 'UNKNOWN_PARTNER', `no keys for node ${p.input.outflowNode}`);
        continue;
      }
      const group = agreementGroup(p);
      if (!agreementOf.has(group)) {
        agreementOf.set(group, await this.agreementFor(manager, p));
      }
      const agreement = agreementOf.get(group) as string | ProblemError;
      if (agreement instanceof ProblemError) {
        refuse(i, agreement.status, agreement.code, agreement.detail ?? agreement.title);
        continue;
      }
      // a second row of the same person in this batch is refused like a registered one
      active.add(p.idIndex);
    }

    const going = prepared.filter((_, i) => !results[i]);
    // A previous inflow node announced the person (migrant.departure with nextNode = us).
    const expected = new Map<string, Migrant[]>();
    for (const m of await this.findByIndex(manager, going, {
      side: 'expected',
      status: 'expected',
    })) {
      expected.set(
        m.idIndex,
        [...(expected.get(m.idIndex) ?? []), m].sort((a, b) => b.updatedAt - a.updatedAt),
      );
    }

    const now = Date.now();
    const alone: OutgoingMessage[] = [];
    const bulks = new Map<string, BulkRecordDraft[]>();
    const messageIds: string[] = [];
    const rows: Migrant[] = [];
    for (const p of going) {
      const [previous] = expected.get(p.idIndex) ?? [];
      const agreementId = agreementOf.get(agreementGroup(p)) as string;
      const readable: Omit<MigrantArrivalPayloadV1, 'pii'> = {
        recordId: p.recordId,
        arrivedOn: p.input.arrivedOn,
        householdDivision: p.input.householdDivision,
        ...(previous ? { previousRecordId: previous.id } : {}),
        ...(p.input.campaignId === undefined ? {} : { campaignId: p.input.campaignId }),
      };
      if (p.form.kind === 'alone') {
        alone.push({
          to: p.input.outflowNode,
          type: 'migrant.arrival',
          agreementId,
          correlationId: p.recordId,
          payload: { ...readable, pii: p.form.forPartner as string },
        });
        messageIds.push('');
      } else {
        // a record's own id: what it would have been as a message alone (DESIGN §3)
        const id = uuidv7();
        const group = `${p.input.outflowNode}/${agreementId}`;
        bulks.set(group, [
          ...(bulks.get(group) ?? []),
          { to: p.input.outflowNode, agreementId, id, readable, secret: p.secret },
        ]);
        messageIds.push(id);
      }
      rows.push({
        id: p.recordId,
        side: 'inflow',
        status: 'registered',
        inflowNode: this.me,
        outflowNode: p.input.outflowNode,
        peer: p.input.outflowNode,
        agreementId,
        householdDivision: p.input.householdDivision,
        arrivedOn: p.input.arrivedOn,
        leftOn: null,
        nextNode: null,
        previousRecordId: previous?.id ?? null,
        arrivalRecordId: null,
        campaignId: p.input.campaignId ?? null,
        idIndex: p.idIndex,
        nameIndex: p.nameIndex,
        pii: p.atRest,
        createdAt: now,
        updatedAt: now,
      });
    }
    const bulkMessages = await this.bulkMessages([...bulks.values()]);
    const envelopes = await this.exchange.outbox.enqueueAll(manager, [...alone, ...bulkMessages]);
    let nextAlone = 0;
    for (const [i, id] of messageIds.entries()) {
      if (id === '') messageIds[i] = envelopes[nextAlone++].id;
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await insertRows(manager, Migrant, rows.slice(i, i + ROWS_PER_STATEMENT));
    }
    for (const row of rows) {
      const announced = expected.get(row.idIndex) ?? [];
      expected.delete(row.idIndex);
      if (announced.length === 0) continue;
      await manager.update(
        Migrant,
        { id: In(announced.map((m) => m.id)) },
        { status: 'arrived', arrivalRecordId: row.id, updatedAt: now },
      );
    }

    let next = 0;
    return results.map((refused, i) => {
      if (refused) return refused;
      const row = rows[next];
      const messageId = messageIds[next++];
      return {
        outcome: 'registered',
        recordId: row.id,
        outflowNode: prepared[i].input.outflowNode,
        agreementId: row.agreementId as string,
        messageId,
        previousRecordId: row.previousRecordId,
      };
    });
  }

  /**
   * The bulks of one outflow node and agreement, packed in order: a new bulk
   * when the next record would pass MAX_BULK_RECORDS or the payload budget.
   * One JWE per bulk carries the records' pii in the records' order.
   */
  private async bulkMessages(groups: BulkRecordDraft[][]): Promise<OutgoingMessage[]> {
    const packs: BulkRecordDraft[][] = [];
    for (const drafts of groups) {
      let pack: BulkRecordDraft[] = [];
      let bytes = 0;
      for (const d of drafts) {
        const size =
          JSON.stringify(d.readable).length +
          80 +
          Math.ceil((JSON.stringify(d.secret).length * 4) / 3);
        if (
          pack.length > 0 &&
          (pack.length >= MAX_BULK_RECORDS || bytes + size > BULK_PAYLOAD_BUDGET)
        ) {
          packs.push(pack);
          pack = [];
          bytes = 0;
        }
        pack.push(d);
        bytes += size;
      }
      if (pack.length > 0) packs.push(pack);
    }
    return Promise.all(
      packs.map(async (pack): Promise<OutgoingMessage> => {
        const [{ to, agreementId }] = pack;
        const key = this.peers.encryptionKey(to);
        if (!key) throw new Error(`no keys for node ${to}`);
        return {
          to,
          type: 'migrant.arrival.bulk',
          agreementId,
          payload: {
            records: pack.map((d) => ({
              id: d.id,
              correlationId: d.readable.recordId,
              payload: { ...d.readable },
            })),
            pii: await encryptPii({ records: pack.map((d) => ({ ...d.secret })) }, key),
          },
        };
      }),
    );
  }

  /** prepare + register in one call: for callers that already hold a transaction and few rows. */
  async registerArrivals(
    manager: EntityManager,
    arrivals: ArrivalInput[],
  ): Promise<ArrivalResult[]> {
    return this.register(manager, await this.prepare(arrivals));
  }

  private async agreementFor(
    manager: EntityManager,
    p: PreparedArrival,
  ): Promise<string | ProblemError> {
    try {
      return await this.agreements.agreementForFlow(
        manager,
        p.input.outflowNode,
        'migrant.arrival',
        { recordId: p.recordId },
        p.input.agreementId,
      );
    } catch (err) {
      if (err instanceof ProblemError) return err;
      throw err;
    }
  }

  private async findByIndex(
    manager: EntityManager,
    prepared: PreparedArrival[],
    where: Pick<Migrant, 'side' | 'status'>,
  ): Promise<Migrant[]> {
    const indexes = [...new Set(prepared.map((p) => p.idIndex))];
    const found: Migrant[] = [];
    // By id_index alone, side and status filtered here: given `status = ?` as
    // well, SQLite's planner (no statistics) walks the (status, arrived_on)
    // index instead, i.e. every registered person, ≈ 50 ms per chunk at
    // 100,000 and growing; a person has only a few records.
    for (let i = 0; i < indexes.length; i += ROWS_PER_STATEMENT) {
      const records = await manager.find(Migrant, {
        where: { idIndex: In(indexes.slice(i, i + ROWS_PER_STATEMENT)) },
      });
      found.push(...records.filter((m) => m.side === where.side && m.status === where.status));
    }
    return found;
  }
}
