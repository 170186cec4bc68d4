import { sampleEnvelope as envelope } from '../../../tests/support/envelopes';
import { checkStream, InboundFacts, STREAM_START } from './stream-check';

const facts = (over: Partial<InboundFacts> = {}): InboundFacts => ({
  envelope: envelope(),
  hash: 'h1',
  me: '511500',
  key: '441300',
  senderKnown: true,
  signatureValid: true,
  position: STREAM_START,
  priorHash: undefined,
  ...over,
});

describe('checkStream', () => {
  it('accepts the first envelope of a stream', () => {
    expect(checkStream(facts())).toEqual({ verdict: 'next' });
  });

  it('accepts the next seq chained to the last hash', () => {
    const f = facts({
      envelope: envelope({ seq: 5, prevHash: 'h4' }),
      position: { lastSeq: 4, lastHash: 'h4' },
    });
    expect(checkStream(f)).toEqual({ verdict: 'next' });
  });

  it('drops an unknown sender without an answer', () => {
    expect(checkStream(facts({ senderKnown: false }))).toMatchObject({
      verdict: 'drop',
      reason: 'UNKNOWN_SENDER',
    });
  });

  it('drops a bad signature without an answer, before anything else about the stream', () => {
    const f = facts({ signatureValid: false, priorHash: 'other', envelope: envelope({ seq: 9 }) });
    expect(checkStream(f)).toMatchObject({ verdict: 'drop', reason: 'BAD_SIGNATURE' });
  });

  it('drops a validly signed envelope whose record key is not its sender', () => {
    for (const key of ['440300', null, '']) {
      expect(checkStream(facts({ key }))).toMatchObject({
        verdict: 'drop',
        reason: 'KEY_MISMATCH',
      });
    }
  });

  it('drops a validly signed copy of a message addressed to another node', () => {
    const f = facts({ envelope: envelope({ to: '440300' }) });
    expect(checkStream(f)).toMatchObject({ verdict: 'drop', reason: 'MISADDRESSED' });
  });

  it('skips an exact redelivery silently', () => {
    expect(checkStream(facts({ priorHash: 'h1' }))).toEqual({ verdict: 'redelivery' });
  });

  it('refuses the same id with other content as DUPLICATE', () => {
    expect(checkStream(facts({ priorHash: 'h0' }))).toMatchObject({ reason: 'DUPLICATE' });
  });

  it('refuses a gap and a step back as SEQ_GAP', () => {
    expect(
      checkStream(
        facts({ envelope: envelope({ seq: 3 }), position: { lastSeq: 1, lastHash: 'a' } }),
      ),
    ).toMatchObject({
      reason: 'SEQ_GAP',
      detail: 'expected seq 2, got 3',
    });
    expect(
      checkStream(
        facts({ envelope: envelope({ seq: 1 }), position: { lastSeq: 1, lastHash: 'a' } }),
      ),
    ).toMatchObject({
      reason: 'SEQ_GAP',
    });
  });

  it('refuses a broken chain', () => {
    const f = facts({
      envelope: envelope({ seq: 2, prevHash: 'forged' }),
      position: { lastSeq: 1, lastHash: 'h1' },
    });
    expect(checkStream(f)).toMatchObject({ reason: 'CHAIN_BROKEN' });
  });
});
