import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CREDENTIAL_FILES } from './connection';

const run = promisify(execFile);

/**
 * deploy/kafka/pki.sh, the one issuer of the network's certificates: from
 * `KAFKA_PKI_SCRIPT`, or found above this file (source and built layouts).
 */
export function pkiScript(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKA_PKI_SCRIPT) return env.KAFKA_PKI_SCRIPT;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'deploy', 'kafka', 'pki.sh');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error('deploy/kafka/pki.sh not found: set KAFKA_PKI_SCRIPT');
}

export function hasCredentials(dir: string): boolean {
  return CREDENTIAL_FILES.every((f) => existsSync(join(dir, f)));
}

/**
 * Issues `principal` a client certificate of the network's CA into `dir`
 * (key.pem, cert.pem, ca.pem), unless it has one. `pkiDir` is the CA's
 * folder (KAFKA_PKI_DIR); the CA is made there on first use.
 */
export async function issueCredentials(
  principal: string,
  dir: string,
  pkiDir?: string,
): Promise<void> {
  if (hasCredentials(dir)) return;
  const env = { ...process.env, ...(pkiDir ? { KAFKA_PKI_DIR: resolve(pkiDir) } : {}) };
  await run('bash', [pkiScript(), 'client', principal, resolve(dir)], { env });
}
