import { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isNodeCode } from '@yipanqi/contracts';
import { importEncryptionPublicKey, importSigningPublicKey, NodePublicKeys } from '@yipanqi/crypto';

/** Public keys of the nodes this node may exchange with. */
export interface PeerKeys {
  signingKey(node: string): KeyObject | undefined;
  encryptionKey(node: string): KeyObject | undefined;
  knownNodes(): string[];
}

/**
 * Peer keys given by configuration (a JSON file `{ "<code>": { signingKey,
 * encryptionKey } }`), until the coordinator's signed directory replaces it.
 * Keys are parsed once into KeyObjects: parsing per message costs more than
 * verifying.
 */
export class ConfiguredPeerKeys implements PeerKeys {
  private readonly peers = new Map<string, { signing: KeyObject; encryption: KeyObject }>();

  constructor(entries: Record<string, NodePublicKeys>) {
    for (const [code, keys] of Object.entries(entries)) {
      if (!isNodeCode(code))
        throw new Error(`peer keys: ${JSON.stringify(code)} is not a node code`);
      this.peers.set(code, {
        signing: importSigningPublicKey(keys.signingKey),
        encryption: importEncryptionPublicKey(keys.encryptionKey),
      });
    }
  }

  static fromFile(path: string): ConfiguredPeerKeys {
    return new ConfiguredPeerKeys(
      JSON.parse(readFileSync(path, 'utf8')) as Record<string, NodePublicKeys>,
    );
  }

  signingKey(node: string): KeyObject | undefined {
    return this.peers.get(node)?.signing;
  }

  encryptionKey(node: string): KeyObject | undefined {
    return this.peers.get(node)?.encryption;
  }

  knownNodes(): string[] {
    return [...this.peers.keys()];
  }
}
