import { AppMetrics, NodeSnapshot } from './app-metrics';

const snapshot: NodeSnapshot = {
  outbox: [{ peer: '511500', depth: 3, oldestAgeSeconds: 12.5 }],
  deadLetters: 2,
  divergedStreams: [{ direction: 'in', count: 1 }],
  overdueTasks: [{ partner: '511500', count: 4 }],
  importRows: [{ outcome: 'invalid', count: 7 }],
  consumerLag: [{ partition: 0, lag: 9 }],
};

describe('AppMetrics', () => {
  it('keeps each app in a registry of its own (two apps in one process)', async () => {
    const a = new AppMetrics('city-node', { node: '441300' });
    const b = new AppMetrics('city-node', { node: '511500' });
    a.http('GET', '/tasks/:id', 200, 0.01);
    expect(await a.metrics()).toMatch(
      /yipanqi_http_requests_total\{method="GET",route="\/tasks\/:id",status="200",app="city-node",node="441300"\} 1/,
    );
    expect(await b.metrics()).not.toMatch(/route="\/tasks\/:id"/);
  });

  it('counts exchange events by outcome, type, reason and partner', async () => {
    const m = new AppMetrics('city-node');
    const id = '0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b';
    m.exchange({
      outcome: 'sent',
      messageId: id,
      type: 'notice',
      from: '441300',
      to: '511500',
      reason: null,
    });
    m.exchange({
      outcome: 'rejected',
      messageId: id,
      type: 'notice',
      from: '511500',
      to: '441300',
      reason: 'NO_AGREEMENT',
    });
    m.relayError();
    const text = await m.metrics();
    expect(text).toMatch(
      /yipanqi_exchange_messages_total\{outcome="sent",type="notice",reason="none",peer="511500"/,
    );
    expect(text).toMatch(/outcome="rejected",type="notice",reason="NO_AGREEMENT",peer="511500"/);
    expect(text).toMatch(/yipanqi_relay_errors_total\{app="city-node"\} 1/);
  });

  it('reads the node state once per scrape for every gauge', async () => {
    const m = new AppMetrics('city-node');
    let reads = 0;
    m.readSnapshotFrom(() => {
      reads++;
      return Promise.resolve(snapshot);
    });
    const text = await m.metrics();
    expect(reads).toBe(1);
    expect(text).toMatch(/yipanqi_outbox_depth\{peer="511500",app="city-node"\} 3/);
    expect(text).toMatch(
      /yipanqi_outbox_oldest_unsent_age_seconds\{peer="511500",app="city-node"\} 12.5/,
    );
    expect(text).toMatch(/yipanqi_dead_letters\{app="city-node"\} 2/);
    expect(text).toMatch(/yipanqi_streams_diverged\{direction="in",app="city-node"\} 1/);
    expect(text).toMatch(/yipanqi_tasks_overdue\{partner="511500",app="city-node"\} 4/);
    expect(text).toMatch(/yipanqi_import_rows\{outcome="invalid",app="city-node"\} 7/);
    expect(text).toMatch(/yipanqi_consumer_lag\{partition="0",app="city-node"\} 9/);
  });
});
