import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { importSigningPublicKey, NodeKeys } from '@yipanqi/crypto';
import {
  checkDivision,
  DirectoryEntry,
  DirectoryRuleError,
  firstEntry,
  keyFingerprint,
  NodeLevel,
  PublicKeys,
  reinstate,
  rotateKeys,
  signDirectoryEntry,
  suspend,
  UnsignedDirectoryEntry,
  unsignedPart,
  verifyRegistration,
} from '@yipanqi/directory';
import { Principal, ProblemError } from '@yipanqi/http-api';
import { Transactions } from '@yipanqi/persistence';
import { CoordinatorConfig } from '../coordinator.config';
import { COORDINATOR_CONFIG, COORDINATOR_KEYS } from '../tokens';
import { DirectoryPublisher } from './directory-publisher';
import { DirectoryEntryRow, Registration, RegistrationStatus } from './directory.entities';
import { RegistrationView } from './directory.views';

export interface NewNode extends PublicKeys {
  code: string;
  name?: string;
  level?: NodeLevel;
}

export interface RegistrationRequest extends PublicKeys {
  code: string;
  name?: string;
  /** the node's signature over its request (libs/directory registration.ts) */
  proof: string;
}

/**
 * The node directory: staff register, rotate, suspend and reinstate nodes, and
 * approve the registrations nodes ask for. Each change is a new signed
 * version of the node's entry, committed and then published.
 */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly transactions: Transactions,
    private readonly publisher: DirectoryPublisher,
    @Inject(COORDINATOR_KEYS) private readonly keys: NodeKeys,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async list(): Promise<DirectoryEntry[]> {
    const rows = await this.transactions.dataSource
      .getRepository(DirectoryEntryRow)
      .createQueryBuilder('e')
      .where('e.version = (SELECT MAX(l.version) FROM directory_entry l WHERE l.code = e.code)')
      .orderBy('e.code')
      .getMany();
    return rows.map((r) => JSON.parse(r.entry) as DirectoryEntry);
  }

  async get(code: string): Promise<DirectoryEntry> {
    const entry = await this.latest(this.transactions.dataSource.manager, code);
    if (!entry) throw notFound(code);
    return entry;
  }

  register(node: NewNode): Promise<DirectoryEntry> {
    return this.write((m) => this.registerWith(m, node));
  }

  rotate(code: string, keys: PublicKeys, validFrom?: number): Promise<DirectoryEntry> {
    return this.change(code, (entry) => rotateKeys(entry, keys, this.clock(), validFrom));
  }

  suspend(code: string): Promise<DirectoryEntry> {
    return this.change(code, (entry) => suspend(entry, this.clock()));
  }

  reinstate(code: string): Promise<DirectoryEntry> {
    return this.change(code, (entry) => reinstate(entry, this.clock()));
  }

  /** Publishes the latest entry of every node again; readers ignore what they already have. */
  async republish(): Promise<{ republished: number }> {
    const latest = await this.list();
    const repo = this.transactions.dataSource.getRepository(DirectoryEntryRow);
    const rows = await Promise.all(
      latest.map((e) => repo.findOneByOrFail({ code: e.code, version: e.version })),
    );
    await this.publisher.send(rows);
    return { republished: rows.length };
  }

  /** A node asks to join; it waits for staff. Anyone may ask: nothing counts until approved. */
  async requestRegistration(request: RegistrationRequest): Promise<RegistrationView> {
    const division = ruled(() => checkDivision(request.code, request.name));
    const keys = { signingKey: request.signingKey, encryptionKey: request.encryptionKey };
    if (
      !verifyRegistration(
        request.code,
        keys,
        request.proof,
        importSigningPublicKey(keys.signingKey),
      )
    ) {
      throw new ProblemError(
        422,
        'BAD_PROOF',
        'The registration is not signed with its own key',
        'proof must be the Ed25519 signature of the registration statement by signingKey',
      );
    }
    const row = await this.transactions.run(async (m) => {
      if (await this.latest(m, request.code)) throw nodeExists(request.code);
      if (await m.existsBy(Registration, { code: request.code, status: 'pending' })) {
        throw new ProblemError(
          409,
          'REGISTRATION_PENDING',
          'A registration is already waiting',
          `${request.code} already has a pending registration; staff decide it first`,
        );
      }
      const created: Registration = {
        id: uuidv7(),
        code: division.code,
        name: division.name,
        ...keys,
        status: 'pending',
        createdAt: Date.now(),
        decidedAt: null,
        decidedBy: null,
        note: null,
      };
      await m.insert(Registration, created);
      return created;
    });
    return withFingerprint(row);
  }

  async registrations(status?: RegistrationStatus): Promise<RegistrationView[]> {
    const rows = await this.transactions.dataSource
      .getRepository(Registration)
      .find({ where: status ? { status } : {}, order: { createdAt: 'ASC' } });
    return rows.map(withFingerprint);
  }

  /** Staff approve: the node enters the directory with the keys it registered. */
  async approve(id: string, by: Principal): Promise<DirectoryEntry> {
    return this.write(async (m) => {
      const registration = await this.pending(m, id);
      const entry = await this.registerWith(m, registration);
      await m.update(Registration, { id }, decided('approved', by));
      return entry;
    });
  }

  async reject(id: string, by: Principal, note?: string): Promise<RegistrationView> {
    return this.transactions.run(async (m) => {
      const registration = await this.pending(m, id);
      const change = { ...decided('rejected', by), note: note ?? null };
      await m.update(Registration, { id }, change);
      return withFingerprint({ ...registration, ...change });
    });
  }

  private async pending(m: EntityManager, id: string): Promise<Registration> {
    const registration = await m.findOneBy(Registration, { id });
    if (!registration) {
      throw new ProblemError(
        404,
        'REGISTRATION_NOT_FOUND',
        'No such registration',
        `no registration ${id}`,
      );
    }
    if (registration.status !== 'pending') {
      throw new ProblemError(
        409,
        'REGISTRATION_DECIDED',
        'The registration was already decided',
        `registration ${id} is ${registration.status}`,
      );
    }
    return registration;
  }

  private async registerWith(m: EntityManager, node: NewNode): Promise<DirectoryEntry> {
    const division = ruled(() => checkDivision(node.code, node.name, node.level));
    if (await this.latest(m, node.code)) throw nodeExists(node.code);
    const keys = { signingKey: node.signingKey, encryptionKey: node.encryptionKey };
    return this.store(m, firstEntry(division, keys, this.clock()));
  }

  private change(
    code: string,
    rule: (entry: UnsignedDirectoryEntry) => UnsignedDirectoryEntry,
  ): Promise<DirectoryEntry> {
    return this.write(async (m) => {
      const entry = await this.latest(m, code);
      if (!entry) throw notFound(code);
      return this.store(
        m,
        ruled(() => rule(unsignedPart(entry))),
      );
    });
  }

  /** Commits the change, then publishes it (and anything left unpublished before it). */
  private async write(
    work: (m: EntityManager) => Promise<DirectoryEntry>,
  ): Promise<DirectoryEntry> {
    const entry = await this.transactions.run(work);
    await this.publisher.flush();
    return entry;
  }

  private async store(m: EntityManager, unsigned: UnsignedDirectoryEntry): Promise<DirectoryEntry> {
    const entry = signDirectoryEntry(unsigned, this.keys.signing.privateKey);
    await m.insert(DirectoryEntryRow, {
      code: entry.code,
      version: entry.version,
      entry: JSON.stringify(entry),
      issuedAt: entry.issuedAt,
      publishedAt: null,
    });
    return entry;
  }

  private async latest(m: EntityManager, code: string): Promise<DirectoryEntry | undefined> {
    const row = await m.findOne(DirectoryEntryRow, { where: { code }, order: { version: 'DESC' } });
    return row ? (JSON.parse(row.entry) as DirectoryEntry) : undefined;
  }

  private clock() {
    return { now: Date.now(), leadMs: this.config.directoryLeadMs };
  }
}

/** Runs a directory rule; its refusal becomes the matching problem. */
function ruled<T>(rule: () => T): T {
  try {
    return rule();
  } catch (err) {
    if (err instanceof DirectoryRuleError) {
      const status = err.kind === 'conflict' ? 409 : 422;
      throw new ProblemError(status, err.code, 'The directory change is refused', err.message);
    }
    throw err;
  }
}

function notFound(code: string): ProblemError {
  return new ProblemError(404, 'NODE_NOT_FOUND', 'No such node', `${code} is not in the directory`);
}

function nodeExists(code: string): ProblemError {
  return new ProblemError(
    409,
    'NODE_EXISTS',
    'The node is already in the directory',
    `${code} is already in the directory; rotate its keys instead`,
  );
}

function decided(status: RegistrationStatus, by: Principal) {
  return { status, decidedAt: Date.now(), decidedBy: by.label };
}

function withFingerprint(r: Registration): RegistrationView {
  return { ...r, fingerprint: keyFingerprint(r.signingKey) };
}
