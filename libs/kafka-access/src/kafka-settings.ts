import { KafkaConnection, loadKafkaCredentials } from './connection';

/**
 * Where the exchange finds Kafka. `KAFKA_BROKERS` (comma-separated host:port)
 * points at an existing cluster; without it we use the local broker that
 * deploy/kafka starts, on `KAFKA_PORT` (default 9092).
 */
export interface KafkaSettings {
  brokers: string[];
  /** true when the brokers came from KAFKA_BROKERS, i.e. nothing local should be started */
  external: boolean;
}

export function kafkaSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  const configured = env.KAFKA_BROKERS?.trim();
  if (configured) {
    const brokers = configured
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
    for (const broker of brokers) {
      if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
        throw new Error(`KAFKA_BROKERS entry is not host:port: ${JSON.stringify(broker)}`);
      }
    }
    return { brokers, external: true };
  }
  const port = env.KAFKA_PORT?.trim() || '9092';
  if (!/^\d{1,5}$/.test(port)) {
    throw new Error(`KAFKA_PORT is not a port number: ${JSON.stringify(port)}`);
  }
  return { brokers: [`127.0.0.1:${port}`], external: false };
}

/**
 * Where a process finds Kafka and its own certificate: `KAFKA_CREDENTIALS_DIR`
 * (key.pem, cert.pem, ca.pem), by default `defaultCredentialsDir`.
 * `KAFKA_TLS=off` connects without TLS — only for a PLAINTEXT broker such as
 * the benchmark's comparison run; every broker deploy/kafka starts refuses it.
 */
export interface KafkaEndpoint {
  brokers: string[];
  credentialsDir: string | undefined;
}

export function kafkaEndpointFromEnv(
  env: NodeJS.ProcessEnv,
  defaultCredentialsDir: string,
): KafkaEndpoint {
  const tls = env.KAFKA_TLS?.trim().toLowerCase();
  if (tls !== undefined && tls !== '' && tls !== 'on' && tls !== 'off') {
    throw new Error(`KAFKA_TLS must be on or off: ${JSON.stringify(env.KAFKA_TLS)}`);
  }
  return {
    brokers: kafkaSettingsFromEnv(env).brokers,
    credentialsDir:
      tls === 'off' ? undefined : env.KAFKA_CREDENTIALS_DIR?.trim() || defaultCredentialsDir,
  };
}

/** The connection of an endpoint, its certificate read now (a clear error when missing). */
export function connectionOf(endpoint: KafkaEndpoint): KafkaConnection {
  return {
    brokers: endpoint.brokers,
    credentials:
      endpoint.credentialsDir === undefined
        ? undefined
        : loadKafkaCredentials(endpoint.credentialsDir),
  };
}
