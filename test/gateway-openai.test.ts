import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import type {} from '@preloop/gateway';
import { gatewayAdapters, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

describe.each(testDialects().flatMap((dialect) => gatewayAdapters.map((adapter) => ({ ...dialect, adapter }))))(
  'OpenAI ingress with the official SDK on $name ($adapter adapter)',
  (dialect) => {
    let harness: GatewayHarness;
    beforeAll(async () => {
      harness = await startGatewayHarness(dialect, { adapter: dialect.adapter });
    });
    afterAll(async () => {
      await harness?.close();
    });

    const usageOf = async (usageId: string | null) => {
      await harness.flush();
      const page = await harness.preloop
        .service('gateway')
        .db.selectFrom('gateway_usage')
        .selectAll()
        .where('id', '=', usageId!)
        .executeTakeFirstOrThrow();
      return page;
    };

    describe.each(['gpt-mock', 'claude-mock'])('chat completions to %s', (model) => {
      it('answers without streaming, with usage (cached and reasoning tokens included)', async () => {
        const { data, response } = await harness
          .openaiClient()
          .chat.completions.create({
            model,
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Hi' },
            ],
          })
          .withResponse();
        expect(data.object).toBe('chat.completion');
        expect(data.choices[0]!.message.content).toMatch(/Hello from the mock (OpenAI|Anthropic) upstream\./);
        expect(data.choices[0]!.finish_reason).toBe('stop');
        const record = await usageOf(response.headers.get('x-preloop-usage-id'));
        expect(record).toMatchObject({ alias: model, status: 'success', streamed: 0, usage_estimated: 0 });
        if (model === 'gpt-mock') {
          expect(data.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 20 } });
          expect(record).toMatchObject({
            input_tokens: 120,
            output_tokens: 30,
            cached_input_tokens: 20,
            reasoning_tokens: 8,
            cost_source: 'price_table',
          });
        } else {
          expect(data.usage).toMatchObject({ prompt_tokens: 160, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 50 } });
          expect(record).toMatchObject({ input_tokens: 160, output_tokens: 40, cached_input_tokens: 50, cache_write_tokens: 10 });
        }
        expect(Number(record.cost_micros)).toBeGreaterThan(0);
      });

      it('returns tool calls without streaming', async () => {
        const data = await harness
          .openaiClient()
          .chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
        expect(data.choices[0]!.finish_reason).toBe('tool_calls');
        const call = data.choices[0]!.message.tool_calls![0]!;
        expect(call.type === 'function' && call.function.name).toBe('get_weather');
        expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
      });

      it('streams text with include_usage, and the SDK assembles it', async () => {
        const stream = harness
          .openaiClient()
          .chat.completions.stream({ model, messages: [{ role: 'user', content: 'Hi' }], stream_options: { include_usage: true } });
        const final = await stream.finalChatCompletion();
        expect(final.choices[0]!.message.content).toMatch(/Hello from the mock/);
        expect(final.usage?.completion_tokens).toBe(model === 'gpt-mock' ? 30 : 40);
      });

      it('streams without include_usage: the usage chunk the gateway asked for is not sent, yet usage is recorded', async () => {
        const { data: stream, response } = await harness
          .openaiClient()
          .chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], stream: true })
          .withResponse();
        const chunks = [];
        for await (const chunk of stream) chunks.push(chunk);
        expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
        expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toMatch(/Hello from the mock/);
        const record = await usageOf(response.headers.get('x-preloop-usage-id'));
        expect(record).toMatchObject({ status: 'success', streamed: 1, usage_estimated: 0, output_tokens: model === 'gpt-mock' ? 30 : 40 });
      });

      it('streams tool calls', async () => {
        const stream = harness.openaiClient().chat.completions.stream({ model, messages: [{ role: 'user', content: 'Weather?' }], tools });
        const final = await stream.finalChatCompletion();
        const call = final.choices[0]!.message.tool_calls![0]!;
        expect(call.function.name).toBe('get_weather');
        expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
        expect(final.choices[0]!.finish_reason).toBe('tool_calls');
      });
    });

    describe.each(['gpt-mock', 'claude-mock'])('responses to %s', (model) => {
      it('answers without streaming', async () => {
        const response = await harness.openaiClient().responses.create({ model, input: 'Hi', instructions: 'Be brief.' });
        expect(response.object).toBe('response');
        expect(response.status).toBe('completed');
        expect(response.output_text).toMatch(/Hello from the mock/);
        expect(response.usage?.input_tokens).toBeGreaterThan(0);
      });

      it('streams, with function calls', async () => {
        const stream = harness.openaiClient().responses.stream({
          model,
          input: 'Weather in Paris?',
          tools: [
            {
              type: 'function',
              name: 'get_weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
              strict: false,
            },
          ],
        });
        const types: string[] = [];
        stream.on('event', (event) => types.push(event.type));
        const final = await stream.finalResponse();
        expect(types[0]).toBe('response.created');
        expect(types.at(-1)).toBe('response.completed');
        const call = final.output.find((item) => item.type === 'function_call');
        expect(call && call.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
      });
    });

    it('creates embeddings (float and the SDK default base64)', async () => {
      const client = harness.openaiClient();
      const floats = await client.embeddings.create({ model: 'embed-mock', input: ['a', 'b'], encoding_format: 'float' });
      expect(floats.data).toHaveLength(2);
      expect(floats.data[0]!.embedding).toEqual([0.25, -0.5, 0.75]);
      const decoded = await client.embeddings.create({ model: 'embed-mock', input: 'a' });
      expect(decoded.data[0]!.embedding).toEqual([0.25, -0.5, 0.75]);
      expect(decoded.usage.prompt_tokens).toBe(8);
    });

    it('refuses embeddings on an Anthropic alias with a 400 naming the reason', async () => {
      await expect(harness.openaiClient().embeddings.create({ model: 'claude-mock', input: 'a' })).rejects.toMatchObject({
        status: 400,
        error: { type: 'invalid_request_error' },
      });
    });

    it('lists and retrieves the models the caller may use', async () => {
      const client = harness.openaiClient();
      const ids = [];
      for await (const model of client.models.list()) ids.push(model.id);
      expect(ids).toEqual(['claude-mock', 'embed-mock', 'free-mock', 'gpt-mock']);
      expect(await client.models.retrieve('gpt-mock')).toMatchObject({ id: 'gpt-mock', object: 'model', owned_by: 'openai' });
      await expect(client.models.retrieve('nope')).rejects.toMatchObject({ status: 404 });
    });

    it('sends the upstream the alias model, the provider key, and include_usage on streams', async () => {
      const before = harness.upstream.requests.length;
      await (
        await harness
          .openaiClient()
          .chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'x' }], stream: true })
      ).controller.abort();
      const request = harness.upstream.requests[before]!;
      expect(request.body.model).toBe('gpt-4o-mini');
      expect(request.body.stream_options).toEqual({ include_usage: true });
      expect(request.headers.authorization).toMatch(/^Bearer sk-openaicanary/);
      expect(request.headers['x-api-key']).toBeUndefined();
    });
  },
);
