import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ExchangeEvent } from '@yipanqi/exchange';
import { exchangeLogFields } from './exchange-log-line';

/** What a node reads from its database (and Kafka) when it is scraped. */
export interface NodeSnapshot {
  /** per partner: unsent outbox rows and the age of the oldest, seconds */
  outbox: { peer: string; depth: number; oldestAgeSeconds: number }[];
  /** dead letters not re-driven yet */
  deadLetters: number;
  /** streams whose last message did not fit (stalled), per direction */
  divergedStreams: { direction: 'in' | 'out'; count: number }[];
  /** open tasks past their due time, per partner */
  overdueTasks: { partner: string; count: number }[];
  /** campaign import rows by outcome (valid, invalid, committed), all imports */
  importRows: { outcome: string; count: number }[];
  /** inbox consumer lag (end offset − committed offset) per partition */
  consumerLag: { partition: number; lag: number }[];
}

/** How long one scrape's snapshot is reused by the gauges that read it. */
const SNAPSHOT_REUSE_MS = 1000;

/**
 * The metrics of one app, in a registry of its own: tests start several apps
 * in one process, and prom-client's global registry would refuse the second
 * app's metrics (and mix them). Labels are node codes, message types, reason
 * codes, routes and status codes — never personal data.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly exchangeMessages: Counter<'outcome' | 'type' | 'reason' | 'peer'>;
  private readonly relayErrors: Counter;
  private snapshotSource: (() => Promise<NodeSnapshot>) | undefined;
  private snapshot: { at: number; value: Promise<NodeSnapshot> } | undefined;

  constructor(app: string, labels: Record<string, string> = {}) {
    this.registry.setDefaultLabels({ app, ...labels });
    collectDefaultMetrics({ register: this.registry, prefix: 'yipanqi_' });
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'yipanqi_http_requests_total',
      help: 'HTTP requests answered, by route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'yipanqi_http_request_duration_seconds',
      help: 'HTTP request duration, by route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.exchangeMessages = new Counter({
      name: 'yipanqi_exchange_messages_total',
      help: 'Exchange messages by outcome: sent (relay publish rate), applied, rejected, dead-letter, dropped; by type, reason and partner',
      labelNames: ['outcome', 'type', 'reason', 'peer'],
      registers,
    });
    this.relayErrors = new Counter({
      name: 'yipanqi_relay_errors_total',
      help: 'Failed outbox relay rounds (publish errors)',
      registers,
    });
    this.snapshotGauge(
      'yipanqi_outbox_depth',
      'Unsent outbox messages per partner',
      ['peer'],
      (s) => s.outbox.map((o) => [{ peer: o.peer }, o.depth]),
    );
    this.snapshotGauge(
      'yipanqi_outbox_oldest_unsent_age_seconds',
      'Age of the oldest unsent outbox message per partner',
      ['peer'],
      (s) => s.outbox.map((o) => [{ peer: o.peer }, o.oldestAgeSeconds]),
    );
    this.snapshotGauge('yipanqi_dead_letters', 'Dead letters not yet re-driven', [], (s) => [
      [{}, s.deadLetters],
    ]);
    this.snapshotGauge(
      'yipanqi_streams_diverged',
      'Streams stalled on a message that does not fit',
      ['direction'],
      (s) => s.divergedStreams.map((d) => [{ direction: d.direction }, d.count]),
    );
    this.snapshotGauge(
      'yipanqi_tasks_overdue',
      'Open tasks past their due time, per partner',
      ['partner'],
      (s) => s.overdueTasks.map((t) => [{ partner: t.partner }, t.count]),
    );
    this.snapshotGauge('yipanqi_import_rows', 'Campaign import rows by outcome', ['outcome'], (s) =>
      s.importRows.map((r) => [{ outcome: r.outcome }, r.count]),
    );
    this.snapshotGauge(
      'yipanqi_consumer_lag',
      'Inbox consumer lag per partition (records)',
      ['partition'],
      (s) => s.consumerLag.map((l) => [{ partition: String(l.partition) }, l.lag]),
    );
  }

  /** Where the gauges read the node's state at scrape time (city nodes only). */
  readSnapshotFrom(source: () => Promise<NodeSnapshot>): void {
    this.snapshotSource = source;
  }

  http(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  exchange(event: ExchangeEvent): void {
    const f = exchangeLogFields(event);
    this.exchangeMessages.inc({
      outcome: f.outcome,
      type: f.type ?? 'none',
      reason: f.reason ?? 'none',
      peer: (f.outcome === 'sent' ? f.to : f.from) ?? 'none',
    });
  }

  relayError(): void {
    this.relayErrors.inc();
  }

  /** The exposition text Prometheus scrapes. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private snapshotGauge(
    name: string,
    help: string,
    labelNames: string[],
    values: (s: NodeSnapshot) => [Record<string, string>, number][],
  ): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client binds `this` to the gauge
    const metrics = this;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        const snapshot = await metrics.currentSnapshot();
        if (!snapshot) return;
        for (const [labels, value] of values(snapshot)) this.set(labels, value);
      },
    });
  }

  /** One read of the node's state per scrape, shared by every gauge (they collect in parallel). */
  private async currentSnapshot(): Promise<NodeSnapshot | undefined> {
    if (!this.snapshotSource) return undefined;
    if (!this.snapshot || Date.now() - this.snapshot.at > SNAPSHOT_REUSE_MS) {
      this.snapshot = { at: Date.now(), value: this.snapshotSource() };
    }
    return this.snapshot.value;
  }
}
