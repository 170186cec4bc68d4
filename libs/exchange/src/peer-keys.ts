import { KeyObject } from 'node:crypto';
import { Admin, Consumer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { directoryTopic, TOPIC_PREFIX } from '@yipanqi/contracts';
import { importEncryptionPublicKey, importSigningPublicKey } from '@yipanqi/crypto';
import { DirectoryEntry, DirectoryView, verifyDirectoryEntry } from '@yipanqi/directory';
import { KafkaConnection, kafkaClient, waitForTopics } from '@yipanqi/kafka-access';

/** Public keys of the other nodes, as the coordinator's directory says they are. */
export interface PeerKeys {
  /**
   * The key that verifies `node`'s signature on a record the broker appended
   * at `at` (LogAppendTime, epoch ms). Undefined when the node was not a
   * member, or was suspended, at that time.
   */
  signingKeyAt(node: string, at: number): KeyObject | undefined;
  /** The key to encrypt to `node` now; undefined when it is not a member or suspended now. */
  encryptionKey(node: string): KeyObject | undefined;
  /** Resolves once every directory entry that can count for a record appended at `at` is known. */
  upToDate(at: number): Promise<void>;
}

export interface DirectoryPeerKeysOptions {
  me: string;
  kafka: KafkaConnection;
  /** the coordinator's Ed25519 public key: entries it did not sign are ignored */
  coordinatorKey: KeyObject;
  topicPrefix?: string;
  log?: (message: string) => void;
}

const CATCH_UP_TIMEOUT_MS = 30000;

/**
 * Follows the coordinator's directory topic: reads it from the beginning at
 * start (the topic is compacted: one latest entry per node), then live.
 * Every entry must verify with the coordinator key; anything else is logged
 * and ignored. Raw keys are parsed into KeyObjects once: parsing per message
 * costs more than verifying.
 */
export class DirectoryPeerKeys implements PeerKeys {
  private readonly view = new DirectoryView();
  private readonly parsed = new Map<string, KeyObject>();
  /** next offset to read, per partition */
  private readonly position = new Map<number, bigint>();
  /** every entry published before this local time is known */
  private caughtUpAt = 0;
  private catchingUp: Promise<void> | undefined;
  private readonly topic: string;
  private readonly log: (message: string) => void;

  private constructor(
    private readonly options: DirectoryPeerKeysOptions,
    private readonly admin: Admin,
    private readonly consumer: Consumer,
  ) {
    this.topic = directoryTopic(options.topicPrefix ?? TOPIC_PREFIX);
    this.log = options.log ?? (() => undefined);
  }

  /** Connects, reads the whole directory and keeps following it. */
  static async start(options: DirectoryPeerKeysOptions): Promise<DirectoryPeerKeys> {
    const prefix = options.topicPrefix ?? TOPIC_PREFIX;
    const kafka = kafkaClient(options.kafka, `yipanqi-directory-${options.me}`);
    // A group of its own per process, never committed: every replica of a node
    // must read the whole directory, from the beginning at each start.
    const consumer = kafka.consumer({ groupId: `${prefix}.directory.${options.me}.${uuidv7()}` });
    const keys = new DirectoryPeerKeys(options, kafka.admin(), consumer);
    await keys.admin.connect();
    await waitForTopics(keys.admin, [keys.topic], { log: keys.log });
    await consumer.connect();
    await consumer.subscribe({ topic: keys.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs wants a promise
      eachMessage: async ({ partition, message }) => {
        keys.receive(message.key?.toString(), message.value, message.offset);
        keys.position.set(partition, BigInt(message.offset) + 1n);
      },
    });
    await keys.upToDate(Date.now());
    return keys;
  }

  private receive(key: string | undefined, value: Buffer | null, offset: string): void {
    if (value === null) return;
    try {
      const entry = verifyDirectoryEntry(
        JSON.parse(value.toString('utf8')),
        this.options.coordinatorKey,
      );
      if (entry.code !== key) throw new Error(`record key ${key} is not the entry's code`);
      this.view.apply(entry);
    } catch (err) {
      this.log(`directory record at offset ${offset} ignored: ${(err as Error).message}`);
    }
  }

  /** Every node the directory lists, newest version of each, as read so far. */
  members(): DirectoryEntry[] {
    return this.view.codes().flatMap((code) => this.view.entry(code) ?? []);
  }

  signingKeyAt(node: string, at: number): KeyObject | undefined {
    const key = this.view.keyAt(node, at);
    return key && this.parse(key.signingKey, importSigningPublicKey);
  }

  encryptionKey(node: string): KeyObject | undefined {
    const key = this.view.keyAt(node, Date.now());
    return key && this.parse(key.encryptionKey, importEncryptionPublicKey);
  }

  private parse(raw: string, parse: (raw: string) => KeyObject): KeyObject {
    let key = this.parsed.get(raw);
    if (!key) {
      key = parse(raw);
      this.parsed.set(raw, key);
    }
    return key;
  }

  /**
   * A directory change takes effect only after it was published (the
   * coordinator's lead time), so once this reader has read everything the
   * topic held at a moment after `at`, it knows every entry that counts for
   * `at`. Catching up asks the broker for the end of the topic; concurrent
   * callers share one request.
   */
  async upToDate(at: number): Promise<void> {
    // a catch-up already under way may have asked before `at`: then one more
    for (let round = 0; round < 2 && at > this.caughtUpAt; round++) {
      this.catchingUp ??= this.catchUp().finally(() => (this.catchingUp = undefined));
      await this.catchingUp;
    }
  }

  private async catchUp(): Promise<void> {
    const asked = Date.now();
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const deadline = asked + CATCH_UP_TIMEOUT_MS;
    const behind = () =>
      ends.some((p) => BigInt(p.high) > (this.position.get(p.partition) ?? BigInt(p.low)));
    while (behind()) {
      if (Date.now() > deadline) throw new Error(`directory not read up to its end within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    this.caughtUpAt = asked;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }
}
