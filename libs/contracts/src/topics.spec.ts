import { deadLetterTopic, directoryTopic, inboxTopic } from './topics';
import { isNodeCode } from './node-code';

describe('topic names', () => {
  it('names inbox and dead-letter topics after the node code, and the directory', () => {
    expect(inboxTopic('441300')).toBe('yipanqi.inbox.441300');
    expect(deadLetterTopic('511500')).toBe('yipanqi.dlq.511500');
    expect(directoryTopic()).toBe('yipanqi.directory');
    expect(directoryTopic('test-1')).toBe('test-1.directory');
  });

  it('refuses anything that is not a 6-digit division code', () => {
    expect(() => inboxTopic('44130')).toThrow(/6-digit/);
    expect(() => inboxTopic('441300; rm')).toThrow(/6-digit/);
    expect(() => deadLetterTopic('041300')).toThrow(/6-digit/);
  });

  it('recognises node codes', () => {
    expect(isNodeCode('440300')).toBe(true);
    expect(isNodeCode(440300)).toBe(false);
    expect(isNodeCode('4403000')).toBe(false);
  });
});
