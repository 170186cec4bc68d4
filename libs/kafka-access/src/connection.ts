import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';

/**
 * A principal's client certificate (mutual TLS): the broker takes the
 * certificate's CN as the principal its ACLs name (docs/operations.md
 * "Kafka security"). Made by `deploy/kafka/pki.sh client` or the provisioning.
 */
export interface KafkaCredentials {
  /** the folder they were read from (key.pem, cert.pem, ca.pem), for messages */
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** How a client reaches the cluster and who it is there. */
export interface KafkaConnection {
  brokers: string[];
  /** undefined only for a PLAINTEXT broker (the benchmark's comparison run) */
  credentials: KafkaCredentials | undefined;
}

export class MissingKafkaCredentialsError extends Error {}

export const CREDENTIAL_FILES = ['key.pem', 'cert.pem', 'ca.pem'] as const;

export function loadKafkaCredentials(dir: string): KafkaCredentials {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      throw new MissingKafkaCredentialsError(
        `no Kafka credentials in ${dir} (${CREDENTIAL_FILES.join(', ')}): ` +
          'the operator issues them when the node is provisioned (docs/operations.md "Kafka security")',
      );
    }
  };
  return { dir, key: read('key.pem'), cert: read('cert.pem'), ca: read('ca.pem') };
}

/** A kafkajs client of `connection` (TLS with the client certificate when it has one). */
export function kafkaClient(
  connection: KafkaConnection,
  clientId: string,
  options: Omit<KafkaConfig, 'brokers' | 'clientId' | 'ssl' | 'sasl'> = {},
): Kafka {
  const { credentials } = connection;
  return new Kafka({
    // kafkajs logs each retried request as an error; real failures surface as exceptions
    logLevel: logLevel.NOTHING,
    ...options,
    clientId,
    brokers: connection.brokers,
    ssl: credentials && { ca: [credentials.ca], cert: credentials.cert, key: credentials.key },
  });
}
