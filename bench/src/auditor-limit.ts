import { Envelope } from '@yipanqi/contracts';
import { generateNodeKeys } from '@yipanqi/crypto';
import { envelopeHash, hasValidSignature } from '@yipanqi/exchange';
import { buildNoticeEnvelope, buildReceiptEnvelope } from './sample';

/** One step of what the replay cannot avoid per record, timed over all iterations. */
export interface AuditorLimitStep {
  step: string;
  cpuMicros: number;
  wallMicros: number;
}

export interface AuditorCryptoLimit {
  iterations: number;
  cores: number;
  steps: AuditorLimitStep[];
  /** CPU per inbox record: the mean of a notice and a receipt, as a receipted log holds them */
  cpuMicrosPerRecord: number;
  recordsPerSecond: number;
}

/**
 * The auditor's own crypto limit: per inbox record, the replay must
 * canonicalise and hash the envelope (the chain and the receipts quote that
 * hash) and canonicalise its signed part and verify the Ed25519 signature —
 * with the repo's functions (envelopeHash, hasValidSignature over
 * libs/crypto). Nothing else it does is crypto. Measured as process CPU time
 * per record, half notices (≈ 2 KB with their JWE) and half receipts, like a
 * receipted log; the limit is cores / CPU per record, what this machine could
 * replay if nothing but that crypto used its cores. Measure it in the same
 * run as the replay it is compared with: the machine is shared.
 */
export async function measureAuditorCryptoLimit(
  iterations: number,
  cores: number,
): Promise<AuditorCryptoLimit> {
  const sender = generateNodeKeys();
  const recipient = generateNodeKeys();
  const notices: Envelope[] = [];
  const receipts: Envelope[] = [];
  let prev: string | null = null;
  for (let i = 0; i < iterations; i++) {
    const notice = await buildNoticeEnvelope(sender, recipient, i + 1, prev);
    prev = envelopeHash(notice);
    notices.push(notice);
    receipts.push(buildReceiptEnvelope(notice, prev, recipient, i + 1, null));
  }
  // warm the JIT on the very functions timed below
  for (let i = 0; i < Math.min(200, iterations); i++) {
    envelopeHash(notices[i]);
    hasValidSignature(receipts[i], recipient.signing.publicKey);
  }
  const steps = [
    timed('hash notice (canonical JSON + SHA-256)', iterations, (i) => envelopeHash(notices[i])),
    timed('verify notice (canonical JSON + Ed25519)', iterations, (i) =>
      check(hasValidSignature(notices[i], sender.signing.publicKey)),
    ),
    timed('hash receipt (canonical JSON + SHA-256)', iterations, (i) => envelopeHash(receipts[i])),
    timed('verify receipt (canonical JSON + Ed25519)', iterations, (i) =>
      check(hasValidSignature(receipts[i], recipient.signing.publicKey)),
    ),
  ];
  const cpuMicrosPerRecord = steps.reduce((sum, s) => sum + s.cpuMicros, 0) / 2;
  return {
    iterations,
    cores,
    steps,
    cpuMicrosPerRecord,
    recordsPerSecond: (cores * 1e6) / cpuMicrosPerRecord,
  };
}

function check(valid: boolean): void {
  if (!valid) throw new Error('the limit must be measured on envelopes that verify');
}

function timed(step: string, iterations: number, work: (i: number) => unknown): AuditorLimitStep {
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) work(i);
  const wall = Number(process.hrtime.bigint() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { step, cpuMicros: (cpu.user + cpu.system) / iterations, wallMicros: wall / iterations };
}
