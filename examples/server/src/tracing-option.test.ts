import { describe, expect, it } from 'vitest';
import { tracingOption } from './tracing-option.js';

describe('reference server tracing (PRELOOP_TRACING, OTEL_EXPORTER_OTLP_*)', () => {
  it('is off unless PRELOOP_TRACING=otlp', () => {
    expect(tracingOption({})).toBeUndefined();
    expect(tracingOption({ PRELOOP_TRACING: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBeUndefined();
  });

  it('reads the endpoint, headers and service name the OpenTelemetry way', () => {
    expect(
      tracingOption({
        PRELOOP_TRACING: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=acme',
        OTEL_SERVICE_NAME: 'preloop-eu',
      }),
    ).toEqual({
      otlp: { url: 'http://collector:4318/v1/traces', headers: { authorization: 'Bearer abc', 'x-tenant': 'acme' } },
      serviceName: 'preloop-eu',
      captureContent: false,
    });
    expect(
      tracingOption({
        PRELOOP_TRACING: 'OTLP',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/v1/traces',
        PRELOOP_TRACING_CAPTURE_CONTENT: 'true',
      }),
    ).toEqual({ otlp: { url: 'https://traces.example.com/v1/traces' }, serviceName: 'preloop', captureContent: true });
    expect(tracingOption({ PRELOOP_TRACING: 'otlp' })).toEqual({ otlp: {}, serviceName: 'preloop', captureContent: false });
  });

  it('refuses values it does not know, naming the variable', () => {
    expect(() => tracingOption({ PRELOOP_TRACING: 'jaeger' })).toThrow(/PRELOOP_TRACING must be otlp or off/);
    expect(() => tracingOption({ PRELOOP_TRACING: 'otlp', PRELOOP_TRACING_CAPTURE_CONTENT: 'yes' })).toThrow(
      /PRELOOP_TRACING_CAPTURE_CONTENT must be true or false/,
    );
    expect(() => tracingOption({ PRELOOP_TRACING: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
  });
});
