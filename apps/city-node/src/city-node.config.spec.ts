import { cityNodeConfigFromEnv } from './city-node.config';

describe('cityNodeConfigFromEnv', () => {
  it('reads code, name and port', () => {
    expect(
      cityNodeConfigFromEnv({ NODE_CODE: '440300', NODE_NAME: '深圳市', HTTP_PORT: '3002' }),
    ).toEqual({ nodeCode: '440300', nodeName: '深圳市', httpPort: 3002, httpHost: '127.0.0.1' });
  });

  it('refuses a malformed node code or port', () => {
    expect(() => cityNodeConfigFromEnv({ NODE_CODE: '4403' })).toThrow(/division code/);
    expect(() => cityNodeConfigFromEnv({ HTTP_PORT: 'x' })).toThrow(/TCP port/);
  });
});
