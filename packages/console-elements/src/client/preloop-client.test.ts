import type { ApprovalEventMap } from '@preloop/approvals/api';
import type { GatewayEventMap } from '@preloop/gateway/api';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ownerClient, seed, viewerClient, waitFor } from '../../test/browser-helpers.js';
import { LiveEvents, type LiveEventPayload, type PreloopLiveEventMap } from './live-events.js';
import { PreloopApiError, isRouteMissing } from './preloop-api-error.js';
import { PreloopClient } from './preloop-client.js';
import { createSseParser } from './sse-parser.js';

describe('PreloopClient', () => {
  it('calls the admin API with a bearer key and returns its JSON', async () => {
    const client = ownerClient();
    const me = await client.auth.me();
    expect(me.principal.type).toBe('api_key');
    expect(me.user?.email).toBe(seed.owner.email);
    const agents = await client.agents.list({ state: 'active' });
    expect(agents.items.map((agent) => agent.id)).toContain(seed.agents.ci);
    expect(agents).toHaveProperty('nextCursor');
  });

  it('calls a kernel route by its key, typed by the route’s schema', async () => {
    const client = ownerClient();
    const agent = await client.route('GET /agents/:id', { params: { id: seed.agents.ci } });
    expect(agent.id).toBe(seed.agents.ci);
    const keys = await client.route('GET /api-keys', { query: { revoked: false, limit: 5 } });
    expect(keys.items.length).toBeGreaterThan(0);
    expect(keys.items.every((key) => key.revokedAt === null)).toBe(true);
    expect(() => client.route('GET /agents/:id')).toThrow(/path parameter "id" is missing/);
  });

  it('calls a plugin route by its key, typed by the plugin’s published route map', async () => {
    const client = ownerClient();
    const server = await client.route('GET /mcp-servers/:id', { params: { id: seed.mcpServerId } });
    expect(server.name).toBe('github');
    const pending = await client.route('GET /approvals', { query: { status: 'pending', limit: 5 } });
    expect(pending.items.every((item) => item.status === 'pending')).toBe(true);
    const models = await client.route('GET /models');
    expect(Array.isArray(models.items)).toBe(true);
    // Compile-time checks only (never called): a path no route map names, and bodies the route's schema refuses.
    const wrongCalls = () => [
      // @ts-expect-error no route is `GET /approval/:id`
      client.route('GET /approval/:id', { params: { id: 'apr_1' } }),
      // @ts-expect-error `decision` is `approve` or `deny`
      client.route('POST /approvals/:id/decide', { params: { id: 'apr_1' }, body: { decision: 'maybe' } }),
      // @ts-expect-error a model alias needs its provider and model
      client.route('POST /models', { body: { alias: 'fast', priceMicros: '10' } }),
    ];
    expect(wrongCalls).toBeTypeOf('function');
  });

  it('turns error answers into PreloopApiError with the code, status and details', async () => {
    const error = await viewerClient()
      .audit.verify()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PreloopApiError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    const invalid = await ownerClient()
      .agents.enroll({ name: '', kind: 'Not A Slug' })
      .then(
        () => null,
        (caught: unknown) => caught as PreloopApiError,
      );
    expect(invalid).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect(invalid?.details).toBeTruthy();
  });

  it('tells a missing feature (no such route) from a missing record', async () => {
    const client = ownerClient();
    const missingRoute = await client.request('GET', '/no-such-feature').catch((caught: unknown) => caught);
    expect(isRouteMissing(missingRoute)).toBe(true);
    const missingRecord = await client.agents.get('agt_nope').catch((caught: unknown) => caught);
    expect(missingRecord).toMatchObject({ status: 404 });
    expect(isRouteMissing(missingRecord)).toBe(false);
  });

  it('reports an unreachable server as NETWORK_ERROR', async () => {
    const client = new PreloopClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(client.system.health()).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('receives live events from the server-sent event stream', async () => {
    const client = ownerClient();
    const seen: string[] = [];
    const off = client.live.on('agent-changed', (event) => seen.push(event.agentId));
    await waitFor(() => client.live.status === 'open');
    const agent = await client.agents.enroll({ name: 'live-event-probe', kind: 'custom' });
    await waitFor(() => seen.includes(agent.id));
    off();
  });

  it('stops on 401 instead of retrying forever', async () => {
    const client = new PreloopClient({ token: 'plk_not_a_key' });
    const off = client.live.on('*', () => {});
    await waitFor(() => client.live.status === 'unauthorized');
    off();
  });
});

describe('LiveEvents', () => {
  function streamOf(chunks: string[], keepOpen = false): Response {
    const encoder = new TextEncoder();
    return new Response(
      new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
          if (!keepOpen) controller.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  }

  it('reconnects with backoff after a drop, sends Last-Event-ID, and says "reconnected"', async () => {
    const lastIds: Array<string | null> = [];
    let opened = 0;
    const live = new LiveEvents(
      async (_signal, lastEventId) => {
        lastIds.push(lastEventId);
        opened += 1;
        return opened === 1
          ? streamOf(['id: 7\nevent: session-started\ndata: {"sessionId":"a"}\n\n'])
          : streamOf(['event: session-started\ndata: {"sessionId":"b"}\n\n'], true);
      },
      { initialDelayMs: 20, lingerMs: 0 },
    );
    const sessions: string[] = [];
    let reconnected = 0;
    const offSessions = live.on('session-started', (event) => sessions.push(event.sessionId));
    const offReconnected = live.on('reconnected', () => (reconnected += 1));
    await waitFor(() => sessions.length === 2);
    expect(sessions).toEqual(['a', 'b']);
    expect(lastIds).toEqual([null, '7']);
    expect(reconnected).toBe(1);
    offSessions();
    offReconnected();
    live.close();
  });

  it('types the plugins’ events with the payloads their servers emit (from their /api entries)', () => {
    expectTypeOf<PreloopLiveEventMap['approval-updated']>().toEqualTypeOf<ApprovalEventMap['approval-updated']>();
    expectTypeOf<LiveEventPayload<'approval-notifier-failed'>>().toEqualTypeOf<ApprovalEventMap['approval-notifier-failed']>();
    expectTypeOf<LiveEventPayload<'gateway-usage-recorded'>>().toEqualTypeOf<GatewayEventMap['gateway-usage-recorded']>();
    expectTypeOf<LiveEventPayload<'gateway-budget-exceeded'>>().toEqualTypeOf<GatewayEventMap['gateway-budget-exceeded']>();
  });

  it('parses multi-line data, comments and CRLF split across chunks', () => {
    const events: Array<{ event: string; data: string }> = [];
    const parser = createSseParser((event) => events.push(event));
    parser.feed(': keep-alive\r');
    parser.feed('\nevent: x\r\ndata: one\r\ndata: two\r');
    parser.feed('\n\r\n');
    expect(events).toEqual([{ event: 'x', data: 'one\ntwo', id: null }]);
  });

  it('parses as eventsource-parser does: ids persist, an id holding NUL is ignored (as the spec says), only valid retry fields count', () => {
    const events: Array<{ event: string; data: string; id: string | null }> = [];
    const retries: number[] = [];
    const parser = createSseParser(
      (event) => events.push(event),
      (milliseconds) => retries.push(milliseconds),
    );
    parser.feed('event: x\ndata: one\nid: 7\n\n');
    parser.feed('retry: 1500\nretry: soon\nid: a\u0000b\ndata: two\n\n');
    expect(events).toEqual([
      { event: 'x', data: 'one', id: '7' },
      { event: 'message', data: 'two', id: '7' },
    ]);
    expect(retries).toEqual([1500]);
    expect(parser.lastEventId).toBe('7');
  });
});
