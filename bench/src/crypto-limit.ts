import { Envelope, UnsignedEnvelope } from '@yipanqi/contracts';
import { decryptPii, encryptPii, generateNodeKeys } from '@yipanqi/crypto';
import { envelopeHash, hasValidSignature, signEnvelope } from '@yipanqi/exchange';
import { buildNoticeEnvelope, buildReceiptEnvelope, NOTICE, unsignedNotice } from './sample';

/** One step of the mandatory crypto, timed over all iterations. */
export interface CryptoStep {
  step: string;
  /** how often one delivered message needs it */
  timesPerMessage: number;
  cpuMicros: number;
  wallMicros: number;
}

export interface CryptoLimit {
  iterations: number;
  cores: number;
  steps: CryptoStep[];
  cpuMicrosPerMessage: number;
  wallMicrosPerMessage: number;
  msgsPerSecond: number;
}

/**
 * The CPU cost of the crypto that one delivered notice cannot avoid, with the
 * repo's own functions: the sender encrypts the pii (JWE), signs and hashes the
 * envelope; the recipient hashes and verifies it, decrypts the pii, signs and
 * hashes the receipt; the sender hashes and verifies the receipt. (Signing,
 * verifying and hashing include the RFC 8785 canonicalisation they work on.)
 * Each step runs `iterations` times in a loop of its own, so its cost is
 * measured without the others' cache effects; process CPU time
 * (process.cpuUsage) counts jose's key generation on libuv worker threads too.
 * The limit is cores / CPU per message: what this machine could do if nothing
 * but the crypto used the CPU.
 */
export async function measureCryptoLimit(iterations: number, cores: number): Promise<CryptoLimit> {
  const sender = generateNodeKeys();
  const recipient = generateNodeKeys();
  const secret = { title: NOTICE.title, text: NOTICE.text };
  const steps: CryptoStep[] = [];

  // warm up the JIT and jose's key caches with the full round trip
  for (let i = 0; i < 200; i++) {
    const notice = await buildNoticeEnvelope(sender, recipient, i + 1, null);
    await decryptPii(String(notice.payload.pii), recipient.encryption.privateKey);
    hasValidSignature(notice, sender.signing.publicKey);
  }

  const jwes: string[] = [];
  steps.push(
    await timed('encrypt pii (JWE, sender)', 1, iterations, async () => {
      jwes.push(await encryptPii(secret, recipient.encryption.publicKey));
    }),
  );

  // envelopes to sign, built outside the timed loops (each with a JWE of its own)
  const unsigned: UnsignedEnvelope[] = [];
  for (let i = 0; i < iterations; i++) unsigned.push(await unsignedNotice(recipient, i + 1, null));
  const notices: Envelope[] = [];
  const noticeHashes: string[] = [];
  steps.push(
    await timed('sign notice (sender)', 1, iterations, (i) => {
      notices.push(signEnvelope(unsigned[i], sender.signing.privateKey));
    }),
  );
  steps.push(
    await timed('hash notice (sender and recipient)', 2, iterations, (i) => {
      noticeHashes.push(envelopeHash(notices[i]));
    }),
  );
  steps.push(
    await timed('verify notice (recipient)', 1, iterations, (i) => {
      if (!hasValidSignature(notices[i], sender.signing.publicKey)) throw new Error('bad sig');
    }),
  );
  steps.push(
    await timed('decrypt pii (recipient)', 1, iterations, async (i) => {
      await decryptPii(jwes[i], recipient.encryption.privateKey);
    }),
  );
  const receipts: Envelope[] = [];
  steps.push(
    await timed('sign receipt (recipient)', 1, iterations, (i) => {
      receipts.push(buildReceiptEnvelope(notices[i], noticeHashes[i], recipient, i + 1, null));
    }),
  );
  steps.push(
    await timed('hash receipt (recipient and sender)', 2, iterations, (i) => {
      envelopeHash(receipts[i]);
    }),
  );
  steps.push(
    await timed('verify receipt (sender)', 1, iterations, (i) => {
      if (!hasValidSignature(receipts[i], recipient.signing.publicKey)) throw new Error('bad sig');
    }),
  );

  const perMessage = (key: 'cpuMicros' | 'wallMicros') =>
    steps.reduce((sum, s) => sum + s.timesPerMessage * s[key], 0);
  const cpuMicrosPerMessage = perMessage('cpuMicros');
  return {
    iterations,
    cores,
    steps,
    cpuMicrosPerMessage,
    wallMicrosPerMessage: perMessage('wallMicros'),
    msgsPerSecond: (cores * 1e6) / cpuMicrosPerMessage,
  };
}

/** Runs `work` `iterations` times; returns CPU and wall microseconds per run. */
async function timed(
  step: string,
  timesPerMessage: number,
  iterations: number,
  work: (i: number) => void | Promise<void>,
): Promise<CryptoStep> {
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await work(i);
  const wall = Number(process.hrtime.bigint() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    step,
    timesPerMessage,
    cpuMicros: (cpu.user + cpu.system) / iterations,
    wallMicros: wall / iterations,
  };
}
