/**
 * PrometheusMetrics implements Metrics with prom-client for GET /metrics on the admin port (admin/server.ts).
 * Loaded only when the admin port is on. Names follow Prometheus conventions: `_total` counters, base units
 * (seconds, octets), one `protocol`/`result`/`command` label each.
 *
 * - letterbox_connections{protocol="imap"|"imaps"|"pop3"|"managesieve"|"lmtp"}: open connections (gauge, read at scrape time; pop3 counts 110 and 995)
 * - letterbox_sessions: logged-in sessions on this node (IMAP and POP3)
 * - letterbox_logins_total{result="success"|"failure"}: IMAP and POP3
 * - letterbox_commands_total{command}, letterbox_command_duration_seconds{command} (histogram)
 * - letterbox_lmtp_deliveries_total{result="delivered"|"unknown_user"|"over_quota"|"too_large"|"rejected"|"failed"}: per recipient (rejected: by the recipient's Sieve script)
 * - letterbox_store_commit_duration_seconds (histogram) and letterbox_store_writes_per_commit (histogram:
 *   the writes one fsync made durable)
 * - letterbox_auth_penalty_addresses: client addresses under the failed-login penalty (all nodes)
 * - the process_* and nodejs_* defaults (memory, CPU, event loop lag)
 *
 * With several worker processes (serve.workers), the primary serves the sum over the workers (clusterMetrics).
 */
import client from 'prom-client';
import type { LmtpResult, LoginResult, Metrics } from './metrics.js';

/** MetricSources: what the gauges read at scrape time. */
export interface MetricSources {
  connections(): { imap: number; imaps: number; pop3: number; managesieve: number; lmtp: number };
  sessions(): number;
  /** Addresses under penalty now (a store query). */
  penaltyAddresses(): Promise<number>;
}

/**
 * clusterMetrics is the primary's exposition of its workers' metrics (each worker calls offerToPrimary):
 * counters, histograms and gauges summed over the workers, process_* per process summed likewise.
 */
export function clusterMetrics(): () => Promise<{ body: string; contentType: string }> {
  const aggregator = new client.AggregatorRegistry();
  return async () => ({ body: await aggregator.clusterMetrics(), contentType: aggregator.contentType });
}

/** PrometheusMetrics owns a registry with Letterbox's metrics and the process defaults. */
export class PrometheusMetrics implements Metrics {
  readonly registry = new client.Registry();
  private readonly logins: client.Counter<'result'>;
  private readonly commands: client.Counter<'command'>;
  private readonly durations: client.Histogram<'command'>;
  private readonly deliveries: client.Counter<'result'>;
  private readonly commitSeconds: client.Histogram;
  private readonly commitWrites: client.Histogram;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry });
    new client.Gauge({
      name: 'letterbox_connections',
      help: 'Open client connections by protocol.',
      labelNames: ['protocol'],
      registers,
      collect() {
        const c = sources.connections();
        for (const [protocol, n] of Object.entries(c)) this.set({ protocol }, n);
      },
    });
    new client.Gauge({
      name: 'letterbox_sessions',
      help: 'Logged-in sessions on this node.',
      registers,
      collect() {
        this.set(sources.sessions());
      },
    });
    new client.Gauge({
      name: 'letterbox_auth_penalty_addresses',
      help: 'Client addresses whose failed logins delay their answers (shared by all nodes).',
      // Every worker reads the same store: the primary's sum would count each address once per worker.
      aggregator: 'max',
      registers,
      async collect() {
        this.set(await sources.penaltyAddresses());
      },
    });
    this.logins = new client.Counter({ name: 'letterbox_logins_total', help: 'LOGIN and AUTHENTICATE answered, by result.', labelNames: ['result'], registers });
    this.commands = new client.Counter({ name: 'letterbox_commands_total', help: 'IMAP commands answered, by command.', labelNames: ['command'], registers });
    this.durations = new client.Histogram({
      name: 'letterbox_command_duration_seconds',
      help: 'Time from the start of an IMAP command to its tagged reply, by command.',
      labelNames: ['command'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers,
    });
    this.deliveries = new client.Counter({ name: 'letterbox_lmtp_deliveries_total', help: 'LMTP recipients by outcome: delivered, or refused and why.', labelNames: ['result'], registers });
    this.commitSeconds = new client.Histogram({
      name: 'letterbox_store_commit_duration_seconds',
      help: 'Duration of a store write transaction up to its durable commit.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.commitWrites = new client.Histogram({
      name: 'letterbox_store_writes_per_commit',
      help: 'Writes made durable by one commit (one fsync); above 1 when group commit joins them.',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    // Every label value exists from the start, so a dashboard's rate() has a series before the first event.
    for (const result of ['success', 'failure']) this.logins.inc({ result }, 0);
    for (const result of ['delivered', 'unknown_user', 'over_quota', 'too_large', 'rejected', 'failed']) this.deliveries.inc({ result }, 0);
  }

  login(result: LoginResult): void {
    this.logins.inc({ result });
  }

  command(name: string, seconds: number): void {
    this.commands.inc({ command: name });
    this.durations.observe({ command: name }, seconds);
  }

  lmtp(result: LmtpResult): void {
    this.deliveries.inc({ result });
  }

  commit(seconds: number, writes: number): void {
    this.commitSeconds.observe(seconds);
    this.commitWrites.observe(writes);
  }

  /** offerToPrimary lets the primary of a cluster collect this worker's metrics (clusterMetrics below). */
  offerToPrimary(): void {
    // Constructing one installs the worker's answer to the primary's requests (prom-client's cluster.js).
    new client.AggregatorRegistry();
    client.AggregatorRegistry.setRegistries([this.registry]);
  }

  /** text is the exposition (Prometheus text format 0.0.4) and its content type. */
  async text(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
