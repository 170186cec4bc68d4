import { Envelope } from '@yipanqi/contracts';

/**
 * A well-formed envelope (a notice, seq 1 of 441300 → 511500, not really
 * signed) for unit tests: override the fields the test is about.
 */
export function sampleEnvelope(over: Partial<Envelope> = {}): Envelope {
  return {
    id: '0192f3c4-0000-7000-8000-000000000001',
    type: 'notice',
    v: 1,
    from: '441300',
    to: '511500',
    agreementId: null,
    correlationId: null,
    causationId: null,
    seq: 1,
    prevHash: null,
    occurredAt: '2026-11-29T00:00:00.000Z',
    payload: {},
    sig: 'x',
    ...over,
  };
}
