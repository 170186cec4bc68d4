import { inboxTopicConfig, withReplication } from './topics';

describe('topic replication', () => {
  it('keeps the broker defaults on a cluster of fewer than three brokers', () => {
    const inbox = inboxTopicConfig('511500');
    expect(withReplication(inbox, 1)).toBe(inbox);
    expect(withReplication(inbox, 2)).toBe(inbox);
  });

  it('asks for three replicas and min.insync.replicas=2 on three brokers or more', () => {
    const inbox = inboxTopicConfig('511500');
    for (const brokers of [3, 5]) {
      const replicated = withReplication(inbox, brokers);
      expect(replicated.replicationFactor).toBe(3);
      expect(replicated.numPartitions).toBe(inbox.numPartitions);
      expect(replicated.configEntries).toEqual([
        ...(inbox.configEntries ?? []),
        { name: 'min.insync.replicas', value: '2' },
      ]);
    }
  });
});
