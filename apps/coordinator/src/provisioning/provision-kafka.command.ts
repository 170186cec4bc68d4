import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { importSigningPublicKey, loadOrCreateNodeKeys } from '@yipanqi/crypto';
import {
  connectionOf,
  DirectoryProvisioner,
  kafkaEndpointFromEnv,
  KafkaConnection,
  kafkaUsersYaml,
  writeKafkaUsersFile,
} from '@yipanqi/kafka-access';
import { coordinatorConfigFromEnv } from '../coordinator.config';

export interface ProvisionKafkaOptions {
  /** the operator's certificate folder */
  operator: string;
  /** keep following the directory (a service); without it, one round and exit */
  follow: boolean;
  auditors: string[];
  /** issue missing certificates under this folder (`<root>/<principal>/`) */
  credentialsRoot?: string;
  /** the coordinator's public key; default: from the coordinator's KEYS_DIR */
  coordinatorKey?: string;
  /** topics only: on Strimzi the ACLs are KafkaUser resources */
  topicsOnly?: boolean;
  /** print the directory's KafkaUser resources for this Strimzi cluster (YAML) instead */
  kafkaUsersFor?: string;
  /** keep the directory's KafkaUser resources of this Strimzi cluster in this file */
  kafkaUsersFile?: { file: string; cluster: string };
}

/**
 * `coordinator provision-kafka`: the operator's tool that turns the signed
 * directory into topics, ACLs (and, with --credentials-root, certificates).
 * It runs with the operator's certificate, not the coordinator's: the
 * coordinator itself may not create topics or change ACLs.
 */
export function provisionKafkaCommand(): Command {
  return new Command('provision-kafka')
    .description(
      "operator: create the network's topics and ACLs from the signed directory (docs/operations.md)",
    )
    .option(
      '--operator-credentials <dir>',
      "the operator's Kafka certificate (default: KAFKA_OPERATOR_CREDENTIALS, else .local/kafka-pki/operator)",
    )
    .option('--follow', 'keep following the directory: suspensions revoke writes within seconds')
    .option(
      '--auditor <name>',
      'grant an auditor read access (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--credentials-root <dir>', 'issue missing certificates here, one folder per principal')
    .option(
      '--coordinator-key <base64url>',
      "the coordinator's Ed25519 public key, raw (default: COORDINATOR_KEY, else from the coordinator's KEYS_DIR)",
    )
    .option('--topics-only', 'create topics only: on Strimzi the ACLs are KafkaUser resources')
    .option(
      '--print-kafka-users <cluster>',
      "print the directory's Strimzi KafkaUser resources (YAML) and exit: | kubectl apply -f -",
    )
    .option(
      '--kafka-users-file <file>',
      'with --follow on Strimzi: keep the KafkaUser resources of the directory in this file (deploy/k8s applies it)',
    )
    .option(
      '--strimzi-cluster <name>',
      'the Strimzi Kafka cluster of --kafka-users-file',
      'yipanqi',
    )
    .action(
      async (o: {
        operatorCredentials?: string;
        follow?: boolean;
        auditor: string[];
        credentialsRoot?: string;
        coordinatorKey?: string;
        topicsOnly?: boolean;
        printKafkaUsers?: string;
        kafkaUsersFile?: string;
        strimziCluster: string;
      }) => {
        await provisionKafka({
          operator:
            o.operatorCredentials ??
            process.env.KAFKA_OPERATOR_CREDENTIALS ??
            join('.local', 'kafka-pki', 'operator'),
          follow: o.follow === true,
          auditors: o.auditor,
          credentialsRoot: o.credentialsRoot && resolve(o.credentialsRoot),
          coordinatorKey: o.coordinatorKey,
          topicsOnly:
            o.topicsOnly === true ||
            o.printKafkaUsers !== undefined ||
            o.kafkaUsersFile !== undefined,
          kafkaUsersFor: o.printKafkaUsers,
          kafkaUsersFile:
            o.kafkaUsersFile === undefined
              ? undefined
              : { file: resolve(o.kafkaUsersFile), cluster: o.strimziCluster },
        });
      },
    );
}

export async function provisionKafka(
  options: ProvisionKafkaOptions,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => console.log(line),
): Promise<DirectoryProvisioner | undefined> {
  const config = coordinatorConfigFromEnv(env);
  const kafka: KafkaConnection = connectionOf({
    brokers: kafkaEndpointFromEnv(env, options.operator).brokers,
    credentialsDir: options.operator,
  });
  const given = options.coordinatorKey ?? env.COORDINATOR_KEY;
  const coordinatorKey = given
    ? importSigningPublicKey(given)
    : // the coordinator makes its keys here on first start; making them first is the same
      loadOrCreateNodeKeys(config.keysDir).signing.publicKey;
  const provisioner = await DirectoryProvisioner.start({
    kafka,
    topicPrefix: config.topicPrefix,
    coordinatorKey,
    auditors: options.auditors,
    credentialsRoot: options.credentialsRoot,
    pkiDir: env.KAFKA_PKI_DIR,
    acls: !options.topicsOnly,
    onRound: (network) => {
      const target = options.kafkaUsersFile;
      if (target && writeKafkaUsersFile(target.file, kafkaUsersYaml(network, target.cluster))) {
        log(`provision-kafka: KafkaUser resources written to ${target.file}`);
      }
    },
    // YAML goes to stdout: the log goes to stderr then
    log: options.kafkaUsersFor ? (line) => console.error(line) : log,
  });
  await provisioner.caughtUp();
  if (options.kafkaUsersFor) {
    log(kafkaUsersYaml(provisioner.network(), options.kafkaUsersFor));
    await provisioner.stop();
    return undefined;
  }
  const members = provisioner.network().members;
  log(
    `provision-kafka: ${config.topicPrefix}: ${members.length} member(s), ` +
      `${members.filter((m) => m.suspended).length} suspended; auditors ${options.auditors.join(', ') || 'none'}`,
  );
  if (options.follow) {
    log('provision-kafka: following the directory (Ctrl-C stops)');
    return provisioner;
  }
  await provisioner.stop();
  return undefined;
}
