/**
 * Prometheus metrics end to end: real calls through the admin API, the MCP
 * endpoint (official SDK client), and the gateway (official OpenAI client
 * against a local upstream), then a scrape of `GET /api/v1/metrics` and of
 * `createMetricsHandler`, whose counters must have moved.
 */
import { approvals } from '@preloop/approvals';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createMetricsHandler, type PolicyDocumentInput } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { testDialects } from '@preloop/core/testing';
import { createGateway, gateway } from '@preloop/gateway';
import { openai } from '@preloop/plugin-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createMcpFixture, type McpFixture } from '../packages/mcp/src/test-support/mcp-fixture.js';
import { createToolServer, createToolServerState, echoTool } from '../packages/mcp/src/test-support/tool-server.js';

const upstreamKey = 'sk-metricsupstream0123456789abcdef';
const approvers = { roles: ['owner', 'admin'] as Array<'owner' | 'admin'> };
const policy: PolicyDocumentInput = {
  version: 1,
  defaults: { tools: 'allow', models: { allow: ['*'] } },
  workflows: { later: { approvers, async: true } },
  rules: [{ tool: 'up.notify', action: 'require_approval', workflow: 'later' }],
};

/** One sample of the text exposition format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format; throws on any line that is neither a comment nor a sample. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|Nan|[+-]Inf)$/.exec(line);
    if (!match) throw new Error(`Not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe.each(testDialects())('metrics on $name', (dialect) => {
  let fixture: McpFixture;
  let tools: HttpUpstream;
  let models: MockUpstream;
  let gatewayServer: RunningServer;
  let gatewayKey: string;

  const scrape = async (token?: string) => {
    const response = await fixture.api('GET', '/metrics', undefined, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  const client = () => new OpenAI({ apiKey: gatewayKey, baseURL: `${gatewayServer.url}/openai/v1`, maxRetries: 0 });
  const ask = (model: string) =>
    client().chat.completions.create({ model, max_completion_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

  beforeAll(async () => {
    tools = await serveHttpUpstream(() =>
      createToolServer(createToolServerState([echoTool, { ...echoTool, name: 'notify', description: 'Notifies someone.' }])),
    );
    models = await startMockUpstream({ credentials: [upstreamKey] });
    fixture = await createMcpFixture(dialect, { policy, plugins: [approvals(), gateway({ reclaimIntervalMs: 0 }), openai()] });
    const created = await (await fixture.api('POST', '/mcp-servers', { name: 'up', transport: 'http', url: tools.url })).json();
    await fixture.api('POST', `/mcp-servers/${created.id}/scan`);
    const runtime = fixture.preloop.service('gateway');
    const system = { type: 'system' as const, name: 'test' };
    const baseUrl = `${models.url}/v1`;
    await runtime.models.create(
      fixture.preloop.accountId,
      { alias: 'fast', provider: 'openai', model: 'gpt-4o-mini', baseUrl, apiKey: upstreamKey },
      system,
    );
    await runtime.models.create(
      fixture.preloop.accountId,
      { alias: 'metered', provider: 'openai', model: 'metered', baseUrl, apiKey: upstreamKey, prices: { input: 1, output: 1 } },
      system,
    );
    gatewayKey = (await fixture.preloop.identity.apiKeys.create(fixture.preloop.accountId, { name: 'gateway', scopes: ['gateway'] })).key;
    gatewayServer = await serve({ handler: createGateway(fixture.preloop), port: 0 });
  });
  afterAll(async () => {
    await gatewayServer?.close();
    await fixture?.cleanup();
    await tools?.close();
    await models?.close();
  });

  it('counts requests per surface, tool calls, model calls, tokens, upstream errors, budget refusals, pending approvals and open sessions', async () => {
    const before = await scrape();

    // Admin API.
    expect((await fixture.api('GET', '/users')).status).toBe(200);
    // MCP: one allowed call and one that waits for an approval (async workflow).
    const mcp = await fixture.connect();
    expect(await mcp.callTool({ name: 'up.echo', arguments: { message: 'hi' } })).toMatchObject({ content: [{ type: 'text' }] });
    await mcp.callTool({ name: 'up.notify', arguments: { message: 'later' } });
    // Gateway: a success, an upstream failure, and a budget refusal.
    expect((await ask('fast')).choices[0]!.message.content).toBeTruthy();
    models.handle = () => ({ status: 500, json: { error: { message: 'upstream broke', type: 'server_error' } } });
    await expect(ask('fast')).rejects.toMatchObject({ status: 500 });
    models.handle = null;
    expect(
      (await fixture.api('POST', '/budgets', { name: 'tiny', scope: { type: 'model', id: 'metered' }, period: 'day', hardLimitMicros: 1 }))
        .status,
    ).toBe(201);
    await expect(ask('metered')).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    await fixture.preloop.service('gateway').flush();

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => sampleSum(after, name, labels) - sampleSum(before, name, labels);
    expect(moved('preloop_http_requests_total', { surface: 'admin', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(moved('preloop_http_requests_total', { surface: 'mcp', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(moved('preloop_http_requests_total', { surface: 'gateway', status: '200' })).toBe(1);
    expect(moved('preloop_http_requests_total', { surface: 'gateway', status: '429' })).toBe(1);
    expect(moved('preloop_http_request_duration_seconds_count', { surface: 'gateway' })).toBe(3);
    expect(moved('preloop_tool_calls_total')).toBe(2);
    expect(moved('preloop_tool_calls_total', { outcome: 'pending' })).toBe(1);
    expect(moved('preloop_model_calls_total', { alias: 'fast', provider: 'openai', outcome: 'success' })).toBe(1);
    expect(moved('preloop_model_calls_total', { alias: 'fast', provider: 'openai', outcome: 'upstream_error' })).toBe(1);
    expect(moved('preloop_model_tokens_total', { alias: 'fast', direction: 'input' })).toBeGreaterThan(0);
    expect(moved('preloop_upstream_errors_total', { alias: 'fast' })).toBe(1);
    expect(moved('preloop_budget_refusals_total', { alias: 'metered' })).toBe(1);
    expect(sampleSum(after, 'preloop_approvals_pending')).toBe(1);
    expect(sampleSum(after, 'preloop_approval_notifications_in_flight')).toBe(0);
    expect(sampleSum(after, 'preloop_mcp_sessions_open')).toBe(1);
    // Process metrics, once per scrape.
    expect(after.filter((sample) => sample.name === 'nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(sampleSum(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Bounded labels: no request, session or approval ids.
    expect(after.every((sample) => Object.values(sample.labels).every((value) => !/^(req|apr|ses|key)_/.test(value)))).toBe(true);

    // The SDK client ends its session with DELETE.
    await (mcp.transport as StreamableHTTPClientTransport).terminateSession();
    await mcp.close();
    await expect.poll(async () => sampleSum(await scrape(), 'preloop_mcp_sessions_open')).toBe(0);
  });

  it('refuses anyone but an owner or admin, and a key with metrics:read reads metrics and nothing else', async () => {
    const anonymous = await fetch(`${fixture.baseUrl}/api/v1/metrics`);
    expect(anonymous.status).toBe(401);
    const viewer = await fixture.api('GET', '/metrics', undefined, fixture.developer.key);
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).not.toContain('preloop_');
    expect((await fixture.api('GET', '/metrics', undefined, fixture.agentKey)).status).toBe(403);

    // Created by the admin in the console (a key minted by another key may only carry that key's scopes).
    const { key: scraperKey } = await fixture.preloop.identity.apiKeys.create(fixture.preloop.accountId, {
      name: 'prometheus',
      scopes: ['metrics:read'],
      userId: fixture.admin.id,
    });
    await scrape(scraperKey);
    expect((await fixture.api('GET', '/users', undefined, scraperKey)).status).toBe(403);
  });

  it('createMetricsHandler serves a scraper token, refuses a wrong one, and refuses a short token at start', async () => {
    const token = 'scrape-0123456789abcdef';
    const handler = createMetricsHandler(fixture.preloop, { token });
    const ok = await handler(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${token}` } }));
    expect(ok.status).toBe(200);
    expect(parseExposition(await ok.text()).some((sample) => sample.name === 'preloop_http_requests_total')).toBe(true);
    const wrong = await handler(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${token}x` } }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('preloop_http');
    expect(
      (await handler(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${fixture.owner.key}` } }))).status,
    ).toBe(200);
    expect(
      (await handler(new Request('http://localhost/metrics', { method: 'POST', headers: { authorization: `Bearer ${token}` } }))).status,
    ).toBe(405);
    expect(() => createMetricsHandler(fixture.preloop, { token: 'short' })).toThrow(/metrics option "token"/);
  });
});
