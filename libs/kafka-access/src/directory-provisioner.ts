import { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { Admin, Consumer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { directoryTopic, TOPIC_PREFIX } from '@yipanqi/contracts';
import { DirectoryView, verifyDirectoryEntry } from '@yipanqi/directory';
import {
  auditorPrincipal,
  coordinatorPrincipal,
  NetworkAccess,
  NetworkMember,
  nodePrincipal,
} from './access-model';
import { KafkaConnection, kafkaClient } from './connection';
import { issueCredentials } from './pki';
import { provisionNetwork, ProvisioningResult } from './provisioning';

export interface DirectoryProvisionerOptions {
  /** the operator's connection: only the operator may create topics and change ACLs */
  kafka: KafkaConnection;
  topicPrefix?: string;
  /** the coordinator's Ed25519 public key: entries it did not sign are ignored */
  coordinatorKey: KeyObject;
  /** auditor names to grant read access (principal `<prefix>.auditor.<name>`) */
  auditors?: string[];
  /**
   * When set, every principal of the network without a certificate gets one
   * here, in `<credentialsRoot>/<principal>/` (the local network and the
   * tests); a production CA issues them out of band instead.
   */
  credentialsRoot?: string;
  /** the CA's folder for those certificates (KAFKA_PKI_DIR) */
  pkiDir?: string;
  /** false: topics only, the ACLs are Strimzi's KafkaUser resources (deploy/k8s) */
  acls?: boolean;
  /** after each round that went through, with the network it provisioned (deploy/k8s writes the KafkaUsers) */
  onRound?: (network: NetworkAccess) => void;
  log?: (message: string) => void;
}

/** A failed provisioning round (broker away) is tried again this often. */
const RETRY_MS = 2000;

/**
 * The provisioning that follows the signed directory: listing a node gives it
 * its topics, ACLs (and, locally, its certificate); suspending it revokes its
 * inbox writes; reinstating it restores them — each within a provisioning
 * round (well under a second on a quiet cluster) of the entry reaching the
 * directory topic. Entries that do not verify with the coordinator's key are
 * ignored, so only the coordinator's signature changes who may do what.
 */
export class DirectoryProvisioner {
  private readonly view = new DirectoryView();
  private readonly prefix: string;
  private readonly log: (message: string) => void;
  /** the members as the last successful round provisioned them */
  private provisioned = new Map<string, boolean>();
  private round: Promise<void> = Promise.resolve();
  private pending = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** next offset of the directory topic to read (one partition) */
  private position = 0n;

  private constructor(
    private readonly options: DirectoryProvisionerOptions,
    private readonly admin: Admin,
    private readonly consumer: Consumer,
  ) {
    this.prefix = options.topicPrefix ?? TOPIC_PREFIX;
    this.log = options.log ?? (() => undefined);
  }

  /** Provisions the network's own topics and ACLs, then follows the directory. */
  static async start(options: DirectoryProvisionerOptions): Promise<DirectoryProvisioner> {
    const prefix = options.topicPrefix ?? TOPIC_PREFIX;
    const kafka = kafkaClient(options.kafka, `yipanqi-provisioning-${prefix}`);
    let stopped = () => false;
    const consumer = kafka.consumer({
      groupId: `${prefix}.provisioning.${uuidv7()}`,
      // kafkajs restarts a crashed consumer after a delay, even one stopped meanwhile
      retry: { restartOnFailure: () => Promise.resolve(!stopped()) },
    });
    const provisioner = new DirectoryProvisioner(options, kafka.admin(), consumer);
    stopped = () => provisioner.stopped;
    // a restart already under way when stop() ran comes back: stop it again once it has joined
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (provisioner.stopped) void consumer.disconnect().catch(() => undefined);
    });
    await provisioner.admin.connect();
    await provisioner.issueServiceCredentials();
    await provisioner.provisionNow();
    await consumer.connect();
    await consumer.subscribe({ topic: directoryTopic(prefix), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        let changed = false;
        for (const message of batch.messages) {
          if (message.value === null) continue;
          try {
            const entry = verifyDirectoryEntry(
              JSON.parse(message.value.toString('utf8')),
              options.coordinatorKey,
            );
            changed = provisioner.view.apply(entry) || changed;
          } catch (err) {
            provisioner.log(
              `directory record at offset ${message.offset} ignored: ${(err as Error).message}`,
            );
          }
        }
        provisioner.position = BigInt(batch.lastOffset()) + 1n;
        if (changed) await provisioner.provisionNow();
      },
    });
    return provisioner;
  }

  /**
   * Resolves once every directory entry on the topic when called has been
   * read and provisioned (a one-off run: `provision-kafka` without --follow).
   */
  async caughtUp(timeoutMs = 60000): Promise<void> {
    const topic = directoryTopic(this.prefix);
    const [end] = await this.admin.fetchTopicOffsets(topic);
    const high = BigInt(end.high);
    const deadline = Date.now() + timeoutMs;
    while (this.position < high) {
      if (Date.now() > deadline) throw new Error(`${topic} not read to offset ${high} in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.provisionNow();
  }

  /** The network as the directory describes it now. */
  network(): NetworkAccess {
    const members: NetworkMember[] = this.view.codes().map((code) => ({
      code,
      suspended: this.view.entry(code)?.status === 'suspended',
    }));
    return { topicPrefix: this.prefix, members, auditors: this.options.auditors ?? [] };
  }

  /** true when the last round provisioned `code` (as suspended or not, when given) */
  isProvisioned(code: string, suspended?: boolean): boolean {
    const state = this.provisioned.get(code);
    return state !== undefined && (suspended === undefined || state === suspended);
  }

  /** One provisioning round after the one running now (rounds never overlap). */
  provisionNow(): Promise<void> {
    this.pending = true;
    const next = this.round.then(async () => {
      if (!this.pending || this.stopped) return;
      this.pending = false;
      const network = this.network();
      try {
        await this.issueMemberCredentials(network.members);
        const result = await provisionNetwork(this.admin, network, { acls: this.options.acls });
        this.options.onRound?.(network);
        this.provisioned = new Map(network.members.map((m) => [m.code, m.suspended]));
        this.report(result);
      } catch (err) {
        this.log(`provisioning failed, trying again in ${RETRY_MS} ms: ${(err as Error).message}`);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => void this.provisionNow(), RETRY_MS);
      }
    });
    this.round = next;
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    try {
      await this.consumer.disconnect();
      await this.round;
    } finally {
      await this.admin.disconnect();
    }
  }

  private credentialsOf(principal: string): string | undefined {
    const root = this.options.credentialsRoot;
    return root && credentialsDirOf(root, principal);
  }

  private async issueServiceCredentials(): Promise<void> {
    const principals = [
      coordinatorPrincipal(this.prefix),
      ...(this.options.auditors ?? []).map((a) => auditorPrincipal(a, this.prefix)),
    ];
    for (const principal of principals) await this.issue(principal);
  }

  private async issueMemberCredentials(members: NetworkMember[]): Promise<void> {
    for (const m of members) await this.issue(nodePrincipal(m.code, this.prefix));
  }

  private async issue(principal: string): Promise<void> {
    const dir = this.credentialsOf(principal);
    if (dir) await issueCredentials(principal, dir, this.options.pkiDir);
  }

  private report(result: ProvisioningResult): void {
    const parts = [
      result.createdTopics.length > 0 && `created ${result.createdTopics.join(', ')}`,
      result.granted.length > 0 && `granted ${result.granted.length} ACL(s)`,
      result.revoked.length > 0 && `revoked ${result.revoked.length} ACL(s)`,
    ].filter(Boolean);
    if (parts.length > 0) this.log(`provisioned ${this.prefix}: ${parts.join('; ')}`);
  }
}

/** Where the provisioning puts a principal's certificate under a credentials root. */
export function credentialsDirOf(root: string, principal: string): string {
  return join(root, principal);
}
