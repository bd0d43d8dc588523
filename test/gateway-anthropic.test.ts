import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import type {} from '@preloop/gateway';
import { gatewayAdapters, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const tinyPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const weatherTool = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe.each(testDialects().flatMap((dialect) => gatewayAdapters.map((adapter) => ({ ...dialect, adapter }))))(
  'Anthropic ingress with the official SDK on $name ($adapter adapter)',
  (dialect) => {
    let harness: GatewayHarness;
    beforeAll(async () => {
      harness = await startGatewayHarness(dialect, { adapter: dialect.adapter });
    });
    afterAll(async () => {
      await harness?.close();
    });

    const usageRecord = async (usageId: string | null) => {
      await harness.flush();
      return harness.preloop
        .service('gateway')
        .db.selectFrom('gateway_usage')
        .selectAll()
        .where('id', '=', usageId!)
        .executeTakeFirstOrThrow();
    };

    describe.each(['claude-mock', 'gpt-mock'])('messages to %s', (model) => {
      it('answers without streaming, with a system prompt and an image', async () => {
        const { data, response } = await harness
          .anthropicClient()
          .messages.create({
            model,
            max_tokens: 256,
            system: 'Be brief.',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'What is this?' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: tinyPng } },
                ],
              },
            ],
          })
          .withResponse();
        expect(data.type).toBe('message');
        expect(data.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/Hello from the mock/) });
        expect(data.stop_reason).toBe('end_turn');
        const record = await usageRecord(response.headers.get('x-preloop-usage-id'));
        expect(record).toMatchObject({ alias: model, operation: 'messages', status: 'success' });
        const upstream = harness.upstream.requests.at(-1)!;
        if (model === 'gpt-mock') {
          expect(upstream.path).toBe('/v1/chat/completions');
          expect(upstream.body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
          expect(upstream.body.messages[1].content[1]).toEqual({
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${tinyPng}` },
          });
          expect(data.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 20, output_tokens: 30 });
        } else {
          expect(upstream.path).toBe('/v1/messages');
          expect(upstream.body.system).toBe('Be brief.');
          expect(upstream.body.model).toBe('claude-haiku-4-5');
          expect(upstream.headers['x-api-key']).toMatch(/^sk-ant-canary/);
          expect(data.usage).toMatchObject({
            input_tokens: 100,
            cache_read_input_tokens: 50,
            cache_creation_input_tokens: 10,
            output_tokens: 40,
          });
          expect(record).toMatchObject({ input_tokens: 160, cached_input_tokens: 50, cache_write_tokens: 10 });
        }
      });

      it('returns tool use without streaming', async () => {
        const data = await harness
          .anthropicClient()
          .messages.create({ model, max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
        expect(data.stop_reason).toBe('tool_use');
        const use = data.content.find((block) => block.type === 'tool_use');
        expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
      });

      it('streams text, and the SDK assembles it with usage', async () => {
        const stream = harness.anthropicClient().messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] });
        const final = await stream.finalMessage();
        expect(final.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/Hello from the mock/) });
        expect(final.usage.output_tokens).toBe(model === 'claude-mock' ? 40 : 30);
      });

      it('streams tool use with a tool result round trip', async () => {
        const client = harness.anthropicClient();
        const final = await client.messages
          .stream({ model, max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather?' }] })
          .finalMessage();
        const use = final.content.find((block) => block.type === 'tool_use')!;
        expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
        const next = await client.messages.create({
          model,
          max_tokens: 256,
          messages: [
            { role: 'user', content: 'Weather?' },
            { role: 'assistant', content: final.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.type === 'tool_use' ? use.id : '', content: 'Sunny' }] },
          ],
        });
        expect(next.content[0]).toMatchObject({ type: 'text' });
        if (model === 'gpt-mock') {
          const upstream = harness.upstream.requests.at(-1)!.body;
          expect(upstream.messages.at(-1)).toMatchObject({ role: 'tool', content: 'Sunny' });
        }
      });
    });

    it('accepts the key as a bearer token (ANTHROPIC_AUTH_TOKEN) as well as x-api-key', async () => {
      const data = await harness
        .anthropicClient({ authToken: harness.apiKey })
        .messages.create({ model: 'claude-mock', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
      expect(data.type).toBe('message');
    });

    it('passes beta flags and the version on to Anthropic, never the client key', async () => {
      await harness.anthropicClient().beta.messages.create({
        model: 'claude-mock',
        max_tokens: 16,
        betas: ['fine-grained-tool-streaming-2025-05-14'],
        messages: [{ role: 'user', content: 'Hi' }],
      });
      const upstream = harness.upstream.requests.at(-1)!;
      expect(upstream.headers['anthropic-beta']).toBe('fine-grained-tool-streaming-2025-05-14');
      expect(upstream.headers['anthropic-version']).toBeTruthy();
      expect(JSON.stringify(upstream.headers)).not.toContain(harness.apiKey);
    });

    it('counts tokens upstream for Anthropic aliases and estimates them (marked) for OpenAI ones', async () => {
      const client = harness.anthropicClient();
      expect(await client.messages.countTokens({ model: 'claude-mock', messages: [{ role: 'user', content: 'Hello there' }] })).toEqual({
        input_tokens: 42,
      });
      const { data, response } = await client.messages
        .countTokens({ model: 'gpt-mock', system: 'Be brief.', messages: [{ role: 'user', content: 'Hello there, how are you today?' }] })
        .withResponse();
      expect(data.input_tokens).toBeGreaterThan(5);
      expect(response.headers.get('x-preloop-token-count')).toBe('estimated');
    });

    it('lists and retrieves models in the Anthropic shape', async () => {
      const client = harness.anthropicClient();
      const ids = [];
      for await (const model of client.models.list()) ids.push(model.id);
      expect(ids).toEqual(['claude-mock', 'embed-mock', 'free-mock', 'gpt-mock']);
      expect(await client.models.retrieve('claude-mock')).toMatchObject({ type: 'model', id: 'claude-mock' });
    });
  },
);
