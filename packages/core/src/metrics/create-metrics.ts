import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import type { Bus } from '../bus/bus.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import { createToken } from '../ids.js';

/** The surfaces whose requests are counted and timed. */
export type MetricsSurface = 'admin' | 'mcp' | 'gateway' | (string & {});

/** The kernel's Prometheus metrics (`preloop.metrics`): one registry per kernel, plus the process's default metrics. */
export interface PreloopMetrics {
  /** This kernel's registry (prom-client). Plugins add their metrics here with {@link PreloopMetrics.counter} and friends. */
  readonly registry: Registry;
  /** Records one answered request of a surface: its HTTP status and how long it took to answer (to the response headers). */
  observeRequest(surface: MetricsSurface, status: number, seconds: number): void;
  /**
   * Wraps a handler so that every answer it gives is counted and timed under `surface`;
   * a handler that throws is recorded as status 500 and the error rethrown.
   */
  instrument<Input extends unknown[], Output extends { status: number }>(
    surface: MetricsSurface,
    handler: (...input: Input) => Promise<Output>,
  ): (...input: Input) => Promise<Output>;
  /** Registers a counter on this kernel's registry, or returns the one already registered under that name. */
  counter<Label extends string>(configuration: CounterConfiguration<Label>): Counter<Label>;
  /** Registers a gauge on this kernel's registry, or returns the one already registered under that name. */
  gauge<Label extends string>(configuration: GaugeConfiguration<Label>): Gauge<Label>;
  /** Registers a histogram on this kernel's registry, or returns the one already registered under that name. */
  histogram<Label extends string>(configuration: HistogramConfiguration<Label>): Histogram<Label>;
  /** The Prometheus text exposition of this kernel's metrics followed by the process's default metrics. */
  scrape(): Promise<string>;
  /** The content type of {@link PreloopMetrics.scrape}'s text. */
  readonly contentType: string;
  /** Stops the Bus heartbeat. */
  close(): void;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** The kernel's events (audit records feed the tool- and model-call counters). */
  events: PreloopEvents;
  /** The Bus whose publish-to-receive lag is measured with a heartbeat. */
  bus: Bus;
  /** How often the Bus heartbeat is sent; 0 turns it off. @default 15000 */
  busHeartbeatMs?: number;
}

const busHeartbeatChannel = 'metrics.heartbeat';
let processRegistry: Registry | null = null;

/** The process-wide registry holding prom-client's default metrics (event-loop delay, memory, GC, handles), created once per process. */
function getProcessRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** HTTP status to a bounded label: the status itself (there are few). */
const statusLabel = (status: number) => String(Number.isInteger(status) && status >= 100 && status < 600 ? status : 500);

/**
 * Creates a kernel's metrics: a registry of its own (two kernels in one process never
 * collide), request counters and latency histograms per surface, counters fed by audit
 * records (tool calls by outcome, model calls by outcome), the Bus lag, and the process's
 * default metrics, collected once per process.
 *
 * @example
 * ```ts
 * const metrics = createMetrics({ events: preloop.events, bus: preloop.bus });
 * const handler = metrics.instrument('admin', preloop.api);
 * console.log(await metrics.scrape());
 * ```
 */
export function createMetrics(options: MetricsOptions): PreloopMetrics {
  const registry = new Registry();
  const named = <T>(name: string, create: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? create();
  const counter = <Label extends string>(configuration: CounterConfiguration<Label>) =>
    named(configuration.name, () => new Counter({ ...configuration, registers: [registry] }));
  const gauge = <Label extends string>(configuration: GaugeConfiguration<Label>) =>
    named(configuration.name, () => new Gauge({ ...configuration, registers: [registry] }));
  const histogram = <Label extends string>(configuration: HistogramConfiguration<Label>) =>
    named(configuration.name, () => new Histogram({ ...configuration, registers: [registry] }));

  const requests = counter({
    name: 'preloop_http_requests_total',
    help: 'Requests answered, by surface (admin, mcp, gateway) and HTTP status.',
    labelNames: ['surface', 'status'],
  });
  const durations = histogram({
    name: 'preloop_http_request_duration_seconds',
    help: 'Time to answer a request (to the response headers; a stream is timed to its first byte), by surface.',
    labelNames: ['surface'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const audited = counter({
    name: 'preloop_audit_records_total',
    help: 'Audit records written, by action and outcome.',
    labelNames: ['action', 'outcome'],
  });
  const toolCalls = counter({
    name: 'preloop_tool_calls_total',
    help: 'Governed MCP tool calls, by outcome (from their audit records).',
    labelNames: ['outcome'],
  });
  const busLag = histogram({
    name: 'preloop_bus_lag_seconds',
    help: 'Time from publishing a Bus heartbeat to receiving it on this instance.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  });

  const stopAudit = (() => {
    const listener = ({ action, outcome }: { action: string; outcome: string }) => {
      audited.inc({ action, outcome });
      if (action === 'mcp.tool.call') toolCalls.inc({ outcome });
    };
    options.events.on('audit-recorded', listener);
    return () => options.events.off('audit-recorded', listener);
  })();

  const instance = createToken(8);
  const unsubscribe = options.bus.subscribe(busHeartbeatChannel, (payload) => {
    const beat = payload as { instance?: unknown; sentAt?: unknown } | null;
    if (beat?.instance === instance && typeof beat.sentAt === 'number') busLag.observe(Math.max(0, Date.now() - beat.sentAt) / 1000);
  });
  const heartbeatMs = options.busHeartbeatMs ?? 15_000;
  const beat = () => void options.bus.publish(busHeartbeatChannel, { instance, sentAt: Date.now() }).catch(() => {});
  const timer = heartbeatMs > 0 ? setInterval(beat, heartbeatMs) : null;
  timer?.unref();
  if (timer) beat();

  // Labelled children are cached: prom-client hashes the labels on every call otherwise (most of the per-request cost).
  const requestCounters = new Map<string, { inc(): void }>();
  const durationHistograms = new Map<string, { observe(value: number): void }>();
  const observeRequest = (surface: MetricsSurface, status: number, seconds: number) => {
    const key = `${surface}\u0000${status}`;
    let counted = requestCounters.get(key);
    if (!counted) requestCounters.set(key, (counted = requests.labels({ surface, status: statusLabel(status) })));
    counted.inc();
    let timed = durationHistograms.get(surface);
    if (!timed) durationHistograms.set(surface, (timed = durations.labels({ surface })));
    timed.observe(seconds);
  };

  return {
    registry,
    observeRequest,
    instrument(surface, handler) {
      return async (...input) => {
        const started = performance.now();
        try {
          const output = await handler(...input);
          observeRequest(surface, output.status, (performance.now() - started) / 1000);
          return output;
        } catch (error) {
          observeRequest(surface, 500, (performance.now() - started) / 1000);
          throw error;
        }
      };
    },
    counter,
    gauge,
    histogram,
    contentType: registry.contentType,
    async scrape() {
      const [own, process] = await Promise.all([registry.metrics(), getProcessRegistry().metrics()]);
      return `${own}\n${process}`;
    },
    close() {
      if (timer) clearInterval(timer);
      unsubscribe();
      stopAudit();
    },
  };
}
