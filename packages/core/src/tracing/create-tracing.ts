/**
 * Optional OpenTelemetry traces of governed calls (model calls and MCP tool
 * calls), off by default. The OpenTelemetry SDK and its OTLP exporter are
 * optional peer dependencies, imported only when `tracing` is configured: a
 * kernel without tracing loads none of them and sends nothing.
 *
 * @module
 */

import { z } from 'zod';
import { PreloopError } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { Logger } from '../logger.js';
import { toSpanAttributes, type GovernedCallSpan } from './genai-attributes.js';

/** The part of an OpenTelemetry `TracerProvider` Preloop uses (the host's own SDK, for example `NodeTracerProvider`). */
export interface HostTracerProvider {
  getTracer(name: string, version?: string): unknown;
}

/** Options of the kernel's `tracing` (off when not set). */
export interface TracingOptions {
  /**
   * Export spans over OTLP/HTTP (JSON) with `@opentelemetry/exporter-trace-otlp-http`.
   * `url` is the traces endpoint (`https://collector:4318/v1/traces`); without it the
   * exporter reads `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`
   * (and `OTEL_EXPORTER_OTLP_HEADERS`), as every OpenTelemetry SDK does.
   */
  otlp?: { url?: string; headers?: Record<string, string>; timeoutMs?: number };
  /** Or hand spans to the host's own tracer provider (its processors and exporters). */
  tracerProvider?: HostTracerProvider;
  /** `service.name` of the exported resource (with `otlp`). @default 'preloop' */
  serviceName?: string;
  /**
   * Record prompts and responses (`gen_ai.input.messages`, `gen_ai.output.messages`)
   * and tool arguments and results (`gen_ai.tool.call.*`) on spans. They may hold
   * personal data: leave off unless the trace store is trusted with them.
   * Credentials are never recorded. @default false
   */
  captureContent?: boolean;
  /** Longest wait before a batch of spans is exported (with `otlp`). @default 5000 */
  exportDelayMs?: number;
}

/** The zod schema of {@link TracingOptions}. */
export const tracingOptionsSchema = z
  .strictObject({
    otlp: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://collector:4318/v1/traces' }).optional(),
        headers: z.record(z.string(), z.string()).optional(),
        timeoutMs: z.number().int().min(1).optional(),
      })
      .optional(),
    tracerProvider: z
      .custom<HostTracerProvider>(
        (v) => typeof v === 'object' && v !== null && typeof (v as HostTracerProvider).getTracer === 'function',
        'must be an OpenTelemetry TracerProvider (with getTracer)',
      )
      .optional(),
    serviceName: z.string().min(1).optional(),
    captureContent: z.boolean().optional(),
    exportDelayMs: z.number().int().min(1).optional(),
  })
  .refine((v) => (v.otlp === undefined) !== (v.tracerProvider === undefined), 'needs exactly one of "otlp" or "tracerProvider"');

/** The incoming W3C trace context of a call (`traceparent` and `tracestate` headers or MCP `_meta`). */
export interface TraceCarrier {
  traceparent?: string | null;
  tracestate?: string | null;
}

/** One finished governed call, as handed to {@link Tracing.record}. */
export interface TracedCall {
  span: GovernedCallSpan;
  principal: Principal;
  /** `succeeded`, `failed`, `denied` or `pending`. */
  outcome: string;
  /** Epoch milliseconds. */
  startTime: number;
  endTime: number;
  carrier: TraceCarrier | null;
}

/** The kernel's tracing (`preloop.tracing`). */
export interface Tracing {
  /** False when `tracing` is not configured: the pipeline describes no span. */
  readonly enabled: boolean;
  readonly captureContent: boolean;
  /** Records one finished call as a span (parented to its carrier's `traceparent`). Never throws. */
  record(call: TracedCall): void;
  /** Exports the spans recorded so far (with `otlp`). */
  flush(): Promise<void>;
  /** Flushes and stops the exporter (called by `preloop.close()`). */
  close(): Promise<void>;
}

/** The tracing of a kernel without `tracing`: does nothing, loads nothing. */
export const disabledTracing: Tracing = Object.freeze({
  enabled: false,
  captureContent: false,
  record() {},
  flush: async () => {},
  close: async () => {},
});

const sdkPackages =
  '@opentelemetry/api, @opentelemetry/core, @opentelemetry/resources, @opentelemetry/sdk-trace-base and @opentelemetry/exporter-trace-otlp-http';

async function load<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (cause) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `createPreloop: option "tracing" needs the package ${specifier}, which cannot be loaded; install ${sdkPackages} (npm install ${specifier}).`,
      { cause },
    );
  }
}

/**
 * Creates the kernel's tracing from its `tracing` option: without it, the
 * {@link disabledTracing} no-op (nothing imported). With it, the OpenTelemetry
 * packages are imported once, here.
 *
 * @example
 * ```ts
 * const tracing = await createTracing({ otlp: { url: 'http://127.0.0.1:4318/v1/traces' } }, logger);
 * ```
 */
export async function createTracing(options: TracingOptions | undefined, logger: Logger): Promise<Tracing> {
  if (!options) return disabledTracing;
  type Api = typeof import('@opentelemetry/api');
  const api = await load<Api>('@opentelemetry/api');
  const { W3CTraceContextPropagator } = await load<typeof import('@opentelemetry/core')>('@opentelemetry/core');
  const propagator = new W3CTraceContextPropagator();
  let provider: HostTracerProvider & { forceFlush?(): Promise<void>; shutdown?(): Promise<void> };
  let owned = false;
  if (options.tracerProvider) provider = options.tracerProvider;
  else {
    const sdk = await load<typeof import('@opentelemetry/sdk-trace-base')>('@opentelemetry/sdk-trace-base');
    const { OTLPTraceExporter } = await load<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
      '@opentelemetry/exporter-trace-otlp-http',
    );
    const { resourceFromAttributes } = await load<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
    const otlp = options.otlp ?? {};
    const exporter = new OTLPTraceExporter({
      ...(otlp.url ? { url: otlp.url } : {}),
      ...(otlp.headers ? { headers: otlp.headers } : {}),
      ...(otlp.timeoutMs ? { timeoutMillis: otlp.timeoutMs } : {}),
    });
    provider = new sdk.BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'preloop' }),
      spanProcessors: [new sdk.BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs ?? 5000 })],
    });
    owned = true;
  }
  const tracer = provider.getTracer('@preloop/core') as import('@opentelemetry/api').Tracer;
  const captureContent = options.captureContent === true;

  return {
    enabled: true,
    captureContent,
    record(call) {
      try {
        const parent =
          call.carrier?.traceparent != null
            ? propagator.extract(api.ROOT_CONTEXT, call.carrier, api.defaultTextMapGetter)
            : api.ROOT_CONTEXT;
        const span = tracer.startSpan(
          call.span.target ? `${call.span.operation} ${call.span.target}` : call.span.operation,
          {
            kind: call.span.kind === 'client' ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL,
            startTime: call.startTime,
            attributes: toSpanAttributes(call.span, call.principal, call.outcome, captureContent),
          },
          parent,
        );
        if (call.outcome === 'failed' || call.outcome === 'denied')
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: call.span.errorType ?? call.outcome });
        span.end(call.endTime);
      } catch (error) {
        logger.warn('tracing: a span could not be recorded', { error });
      }
    },
    flush: async () => {
      await provider.forceFlush?.();
    },
    close: async () => {
      if (owned) await provider.shutdown?.();
    },
  };
}
