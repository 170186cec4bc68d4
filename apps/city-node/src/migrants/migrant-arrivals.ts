import { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MigrantArrivalPayloadV1, MigrantArrivalPiiV1 } from '@yipanqi/contracts';
import { blindIndex, encryptAtRest, encryptPii } from '@yipanqi/crypto';
import { ExchangeNode, OutgoingMessage, PeerKeys } from '@yipanqi/exchange';
import { ProblemError } from '@yipanqi/http-api';
import { AgreementsService } from '../agreements/agreements.service';
import { CityNodeConfig } from '../city-node.config';
import { InjectDataKey, InjectPeerKeys } from '../exchange/exchange.providers';
import { CITY_NODE_CONFIG } from '../tokens';
import { ArrivalInput } from './migrant-rules';
import { Migrant } from './migrant.entity';

/** An arrival encrypted and indexed, ready to be registered (no database needed to make it). */
export interface PreparedArrival {
  input: ArrivalInput;
  recordId: string;
  idIndex: string;
  nameIndex: string;
  /** JWE to the outflow node; null when the directory has no keys for it */
  forPartner: string | null;
  /** under the node-local data key */
  atRest: string;
}

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

/** How many people are encrypted at once: enough to keep both cores busy, few enough to stay responsive. */
const ENCRYPTION_CHUNK = 200;
/** Rows per INSERT / IN list: well inside SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;

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
  async prepare(arrivals: ArrivalInput[]): Promise<PreparedArrival[]> {
    const prepared: PreparedArrival[] = [];
    for (let i = 0; i < arrivals.length; i += ENCRYPTION_CHUNK) {
      const chunk = arrivals.slice(i, i + ENCRYPTION_CHUNK);
      prepared.push(...(await Promise.all(chunk.map((input) => this.prepareOne(input)))));
    }
    return prepared;
  }

  private async prepareOne(input: ArrivalInput): Promise<PreparedArrival> {
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
      partnerKey ? encryptPii(secret, partnerKey) : null,
      encryptAtRest(secret, this.dataKey),
    ]);
    return {
      input,
      recordId: uuidv7(),
      idIndex: blindIndex(this.dataKey, input.person.idNumber),
      nameIndex: blindIndexOfName(this.dataKey, input.person.name),
      forPartner,
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
      if (!p.forPartner) {
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
    const messages: OutgoingMessage[] = [];
    const rows: Migrant[] = [];
    for (const p of going) {
      const [previous] = expected.get(p.idIndex) ?? [];
      const agreementId = agreementOf.get(agreementGroup(p)) as string;
      const payload: MigrantArrivalPayloadV1 = {
        recordId: p.recordId,
        arrivedOn: p.input.arrivedOn,
        householdDivision: p.input.householdDivision,
        ...(previous ? { previousRecordId: previous.id } : {}),
        ...(p.input.campaignId === undefined ? {} : { campaignId: p.input.campaignId }),
        pii: p.forPartner as string,
      };
      messages.push({
        to: p.input.outflowNode,
        type: 'migrant.arrival',
        agreementId,
        correlationId: p.recordId,
        payload: { ...payload },
      });
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
    const envelopes = await this.exchange.outbox.enqueueAll(manager, messages);
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await manager.insert(Migrant, rows.slice(i, i + ROWS_PER_STATEMENT));
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
      const envelope = envelopes[next++];
      return {
        outcome: 'registered',
        recordId: row.id,
        outflowNode: prepared[i].input.outflowNode,
        agreementId: row.agreementId as string,
        messageId: envelope.id,
        previousRecordId: row.previousRecordId,
      };
    });
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
