import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import type {} from '@preloop/gateway';
import { anthropicCanaryKey, gatewayAdapters, openAICanaryKey, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const canaries = [openAICanaryKey, anthropicCanaryKey, 'sk-openaicanary', 'canary-0123456789abcdefCANARY'];

function expectNoCanary(text: string, where: string) {
  for (const canary of canaries) expect(text.includes(canary), `${where} contains a provider key`).toBe(false);
}

describe.each(testDialects().flatMap((dialect) => gatewayAdapters.map((adapter) => ({ ...dialect, adapter }))))(
  'gateway safety on $name ($adapter adapter)',
  (dialect) => {
    let harness: GatewayHarness;
    const seen: string[] = [];
    beforeAll(async () => {
      harness = await startGatewayHarness(dialect, {
        adapter: dialect.adapter,
        allowModels: ['gpt-mock', 'claude-mock', 'embed-mock', 'ghost', 'primary', 'loop-*'],
        gateway: { capture: { bodies: true } },
      });
    });
    afterAll(async () => {
      await harness?.close();
    });

    const raw = async (path: string, init: RequestInit & { body?: string } = {}) => {
      const response = await fetch(`${harness.url}${path}`, {
        method: 'POST',
        ...init,
        headers: {
          authorization: `Bearer ${harness.apiKey}`,
          'content-type': 'application/json',
          ...(init.headers as Record<string, string>),
        },
      });
      const text = await response.text();
      seen.push(text, JSON.stringify([...response.headers]));
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: (() => {
          try {
            return JSON.parse(text);
          } catch {
            return null;
          }
        })(),
      };
    };

    it('refuses a model the policy does not allow, in each ingress shape, and audits it', async () => {
      const openai = await raw('/openai/v1/chat/completions', {
        body: JSON.stringify({ model: 'free-mock', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(openai.status).toBe(403);
      expect(openai.json).toEqual({
        error: {
          message: 'The policy does not allow the model "free-mock" for this credential (account).',
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_allowed',
        },
      });
      await expect(
        harness.anthropicClient().messages.create({ model: 'free-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({
        status: 403,
        error: { type: 'error', error: { type: 'permission_error' } },
      });
      // Look-alikes of an allowed alias are no alias at all: 404, never served.
      for (const lookalike of ['GPT-MOCK', 'gpt-mock ', 'openai/gpt-mock']) {
        expect((await raw('/openai/v1/chat/completions', { body: JSON.stringify({ model: lookalike, messages: [] }) })).status).toBe(404);
      }
      expect(harness.upstream.requests.some((request) => request.body?.model === 'local-llama')).toBe(false);
      // Denials are audited off the request path: wait for the record.
      await expect
        .poll(async () =>
          (await harness.preloop.audit.query({ accountId: harness.preloop.accountId, action: 'model.call' } as never)).items.some(
            (record) => record.outcome === 'denied' && record.data.model === 'free-mock',
          ),
        )
        .toBe(true);
    });

    it('answers an unknown (but allowed) model with 404 and a missing credential with 401, in each shape', async () => {
      const missing = await raw('/anthropic/v1/messages', { body: JSON.stringify({ model: 'ghost', max_tokens: 8, messages: [] }) });
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      await expect(
        harness
          .openaiClient({ apiKey: 'plk_not_a_real_key_at_all_000000000000' })
          .chat.completions.create({ model: 'gpt-mock', messages: [] }),
      ).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
      await expect(
        harness.anthropicClient({ apiKey: 'wrong' }).messages.create({ model: 'claude-mock', max_tokens: 8, messages: [] }),
      ).rejects.toMatchObject({ status: 401, error: { error: { type: 'authentication_error' } } });
      const { key: adminOnly } = await harness.preloop.identity.apiKeys.create(harness.preloop.accountId, {
        name: 'mcp only',
        scopes: ['mcp'],
      });
      await expect(harness.openaiClient({ apiKey: adminOnly }).models.list()).rejects.toMatchObject({ status: 401 });
    });

    it('answers malformed JSON with 400 in each ingress shape', async () => {
      const openai = await raw('/openai/v1/chat/completions', { body: '{"model": "gpt-mock", ' });
      expect(openai.status).toBe(400);
      expect(openai.json.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/Malformed JSON/) });
      const anthropic = await raw('/anthropic/v1/messages', { body: '[1, 2' });
      expect(anthropic.status).toBe(400);
      expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const notObject = await raw('/anthropic/v1/messages', { body: '[1, 2]' });
      expect(notObject.json.error.message).toMatch(/JSON object/);
      const untranslatable = await raw('/openai/v1/chat/completions', { body: JSON.stringify({ model: 'claude-mock', messages: 'nope' }) });
      expect(untranslatable.status).toBe(400);
      expect(untranslatable.json.error.param).toBe('messages');
    });

    it('never lets a provider key reach a client, a log line or an audit record', async () => {
      const openai = harness.openaiClient();
      const anthropic = harness.anthropicClient();
      await openai.chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] });
      await anthropic.messages.stream({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
      // Upstream errors that echo the key, in both formats and across formats.
      harness.upstream.handle = (request) => ({
        status: 400,
        json: {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: `bad request with key ${request.headers['x-api-key'] ?? request.headers.authorization}`,
          },
        },
      });
      for (const [path, model] of [
        ['/openai/v1/chat/completions', 'gpt-mock'],
        ['/openai/v1/chat/completions', 'claude-mock'],
        ['/anthropic/v1/messages', 'claude-mock'],
        ['/anthropic/v1/messages', 'gpt-mock'],
      ] as const) {
        const result = await raw(path, { body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }) });
        expect(result.status).toBe(400);
        expect(result.text).toContain('[redacted');
      }
      // A refused provider credential: never echoed, and not the client's fault.
      harness.upstream.handle = (request) => ({
        status: 401,
        json: {
          error: {
            message: `Incorrect API key provided: ${request.headers.authorization}`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      });
      const refused = await raw('/openai/v1/chat/completions', {
        body: JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(refused.status).toBe(502);
      expect(refused.json.error.message).toMatch(/refused the gateway's credential/);
      harness.upstream.handle = null;
      const models = await harness.admin('GET', '/models');
      seen.push(JSON.stringify(models.body));
      expect(models.body.items.find((model: { alias: string }) => model.alias === 'gpt-mock')).toMatchObject({ hasCredential: true });
      await harness.flush();
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const text of seen) expectNoCanary(text, 'a client response');
      expectNoCanary(harness.logs.join('\n'), 'the log');
      const audit = await harness.preloop.audit.query({ accountId: harness.preloop.accountId, limit: 200 } as never);
      expect(audit.items.length).toBeGreaterThan(3);
      expectNoCanary(JSON.stringify(audit.items), 'the audit trail');
      const db = harness.preloop.service('gateway').db;
      expectNoCanary(JSON.stringify(await db.selectFrom('gateway_events').selectAll().execute()), 'gateway events');
      expectNoCanary(JSON.stringify(await db.selectFrom('gateway_usage').selectAll().execute()), 'usage records');
    });

    it('aborts the upstream within a second when the client leaves mid-stream, and records what was seen', async () => {
      for (const model of ['gpt-mock', 'claude-mock']) {
        const before = harness.upstream.requests.length;
        harness.upstream.handle = (request) => {
          if (request.path === '/v1/chat/completions') {
            const pieces = Array.from(
              { length: 200 },
              (_, index) =>
                `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `word${index} ` }, finish_reason: null }] })}\n\n`,
            );
            return { sse: pieces, chunkDelayMs: 20, hang: true };
          }
          const start = {
            type: 'message_start',
            message: {
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              model: 'm',
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 77, output_tokens: 1 },
            },
          };
          const pieces = [
            `event: message_start\ndata: ${JSON.stringify(start)}\n\n`,
            `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
          ];
          for (let index = 0; index < 200; index++)
            pieces.push(
              `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word${index} ` } })}\n\n`,
            );
          return { sse: pieces, chunkDelayMs: 20, hang: true };
        };
        const { data: stream, response } = await harness
          .openaiClient()
          .chat.completions.create({ model, messages: [{ role: 'user', content: 'talk' }], stream: true })
          .withResponse();
        let received = 0;
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) received++;
          if (received === 3) break;
        }
        const abortedAt = Date.now();
        const upstream = harness.upstream.requests[before]!;
        await Promise.race([upstream.closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
        expect(upstream.closedAt, `${model}: upstream still open`).not.toBeNull();
        expect(upstream.aborted).toBe(true);
        expect(upstream.closedAt! - abortedAt).toBeLessThan(1000);
        harness.upstream.handle = null;
        await new Promise((resolve) => setTimeout(resolve, 50));
        await harness.flush();
        const record = await harness.preloop
          .service('gateway')
          .db.selectFrom('gateway_usage')
          .selectAll()
          .where('id', '=', response.headers.get('x-preloop-usage-id')!)
          .executeTakeFirstOrThrow();
        expect(record).toMatchObject({ status: 'cancelled', error_code: 'client_cancelled', usage_estimated: 1 });
        expect(Number(record.output_tokens)).toBeGreaterThan(0);
        if (model === 'claude-mock') expect(Number(record.input_tokens)).toBe(77);
        else expect(Number(record.input_tokens)).toBeGreaterThan(0);
        expect(Number(record.cost_micros)).toBeGreaterThan(0);
      }
    });

    it('passes a mid-stream Anthropic error on through both ingresses, closes the stream and accounts usage', async () => {
      const start = {
        type: 'message_start',
        message: {
          id: 'msg_e',
          type: 'message',
          role: 'assistant',
          model: 'm',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 55, output_tokens: 1 },
        },
      };
      harness.upstream.handle = () => ({
        sse: [
          `event: message_start\ndata: ${JSON.stringify(start)}\n\n`,
          `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
          `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial answer' } })}\n\n`,
          `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`,
        ],
        chunkDelayMs: 5,
      });
      await expect(
        harness
          .anthropicClient()
          .messages.stream({ model: 'claude-mock', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage(),
      ).rejects.toThrow(/Overloaded/);
      await expect(
        harness
          .openaiClient()
          .chat.completions.stream({ model: 'claude-mock', messages: [{ role: 'user', content: 'x' }] })
          .finalChatCompletion(),
      ).rejects.toThrow(/Overloaded/);
      harness.upstream.handle = null;
      await harness.flush();
      const records = await harness.preloop
        .service('gateway')
        .db.selectFrom('gateway_usage')
        .selectAll()
        .where('error_code', '=', 'overloaded_error')
        .execute();
      expect(records).toHaveLength(2);
      for (const record of records) expect(record).toMatchObject({ status: 'error', input_tokens: 55 });
    });

    it('falls back on 429/5xx before the first byte (never to a disallowed model), and never after it', async () => {
      const runtime = harness.preloop.service('gateway');
      const system = { type: 'system' as const };
      await runtime.models.create(
        harness.preloop.accountId,
        {
          alias: 'primary',
          provider: 'openai',
          model: 'flaky-model',
          baseUrl: `${harness.upstream.url}/v1`,
          apiKey: openAICanaryKey,
          fallback: 'claude-mock',
        },
        system,
      );
      await runtime.models.create(
        harness.preloop.accountId,
        {
          alias: 'loop-a',
          provider: 'openai',
          model: 'flaky-model',
          baseUrl: `${harness.upstream.url}/v1`,
          apiKey: openAICanaryKey,
          fallback: 'free-mock',
        },
        system,
      );
      harness.upstream.handle = (request) =>
        request.body?.model === 'flaky-model' ? { status: 503, json: { error: { message: 'down', type: 'server_error' } } } : undefined;
      const answer = await harness.openaiClient().chat.completions.create({ model: 'primary', messages: [{ role: 'user', content: 'x' }] });
      expect(answer.choices[0]!.message.content).toMatch(/mock Anthropic/);
      const streamed = await harness
        .openaiClient()
        .chat.completions.stream({ model: 'primary', messages: [{ role: 'user', content: 'x' }] })
        .finalChatCompletion();
      expect(streamed.choices[0]!.message.content).toMatch(/mock Anthropic/);
      // The fallback of loop-a is not allowed by policy: the 503 stands.
      await expect(
        harness.openaiClient().chat.completions.create({ model: 'loop-a', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({ status: 503 });
      await harness.flush();
      const records = await runtime.db.selectFrom('gateway_usage').selectAll().where('fallback_from', '=', 'primary').execute();
      expect(records).toHaveLength(2);
      expect(records.every((record) => record.alias === 'claude-mock' && record.status === 'success')).toBe(true);
      // After the first byte: the stream breaks, and no fallback is tried.
      const chunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'started ' }, finish_reason: null }] })}\n\n`;
      harness.upstream.handle = (request) =>
        request.body?.model === 'flaky-model' ? { sse: [chunk, chunk], chunkDelayMs: 30, destroy: true } : undefined;
      const count = harness.upstream.requests.length;
      const texts: string[] = [];
      const stream = await harness
        .openaiClient()
        .chat.completions.create({ model: 'primary', messages: [{ role: 'user', content: 'x' }], stream: true });
      await expect(
        (async () => {
          for await (const part of stream) texts.push(part.choices[0]?.delta.content ?? '');
        })(),
      ).rejects.toThrow(/could not be reached|upstream/i);
      expect(texts.join('')).toBe('started started ');
      expect(harness.upstream.requests.slice(count).map((request) => request.body?.model)).toEqual(['flaky-model']);
      harness.upstream.handle = null;
    });
  },
);
