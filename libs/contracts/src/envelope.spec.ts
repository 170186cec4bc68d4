import { sampleEnvelope } from '../../../tests/support/envelopes';
import { EnvelopeFormatError, MAX_ENVELOPE_BYTES, parseEnvelope } from './envelope';

const valid = sampleEnvelope({ sig: 'abc' });

describe('parseEnvelope', () => {
  it('parses a well-formed envelope', () => {
    expect(parseEnvelope(JSON.stringify(valid))).toEqual(valid);
  });

  it('refuses what is not JSON', () => {
    expect(() => parseEnvelope(Buffer.from('\u0000garbage'))).toThrow(/not JSON/);
  });

  it('refuses unknown envelope fields and wrong types, naming them', () => {
    expect(() => parseEnvelope(JSON.stringify({ ...valid, extra: 1 }))).toThrow(/"extra"/);
    expect(() => parseEnvelope(JSON.stringify({ ...valid, seq: '1', from: 44 }))).toThrow(
      /from must be a node code; seq must be a positive integer/,
    );
  });

  it('refuses oversized records before parsing them', () => {
    const big = Buffer.alloc(MAX_ENVELOPE_BYTES + 1, 0x20);
    expect(() => parseEnvelope(big)).toThrow(EnvelopeFormatError);
  });
});
