import type { TracingOptions } from '@preloop/core';

/** Parses `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,key2=value2`, values URL-encoded), as OpenTelemetry SDKs do. */
function otlpHeaders(text: string | undefined): Record<string, string> | undefined {
  if (!text?.trim()) return undefined;
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error('OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas');
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/**
 * The reference server's tracing option: off unless `PRELOOP_TRACING=otlp`.
 * The endpoint is `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else OpenTelemetry's default
 * (`http://localhost:4318/v1/traces`); headers from `OTEL_EXPORTER_OTLP_HEADERS`,
 * `service.name` from `OTEL_SERVICE_NAME`; prompts and tool arguments only with
 * `PRELOOP_TRACING_CAPTURE_CONTENT=true`.
 *
 * @example
 * ```ts
 * tracingOption({ PRELOOP_TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
 * // { otlp: { url: 'http://collector:4318/v1/traces' }, serviceName: 'preloop', captureContent: false }
 * ```
 */
export function tracingOption(env: NodeJS.ProcessEnv): TracingOptions | undefined {
  const setting = (env.PRELOOP_TRACING ?? '').trim().toLowerCase();
  if (setting === '' || setting === 'off' || setting === 'false') return undefined;
  if (setting !== 'otlp') throw new Error(`PRELOOP_TRACING must be otlp or off, got "${env.PRELOOP_TRACING}"`);
  const capture = (env.PRELOOP_TRACING_CAPTURE_CONTENT ?? '').trim().toLowerCase();
  if (capture !== '' && capture !== 'true' && capture !== 'false')
    throw new Error(`PRELOOP_TRACING_CAPTURE_CONTENT must be true or false, got "${env.PRELOOP_TRACING_CAPTURE_CONTENT}"`);
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim().replace(/\/+$/, '');
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base}/v1/traces` : undefined);
  const headers = otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS);
  return {
    otlp: { ...(url ? { url } : {}), ...(headers ? { headers } : {}) },
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'preloop',
    captureContent: capture === 'true',
  };
}
