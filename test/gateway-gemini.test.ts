/**
 * The Gemini ingress end to end, driven by Google's official Gen AI SDK
 * (`@google/genai`) pointed at the gateway: translated to the OpenAI and
 * Anthropic mock upstreams, and passed through to a Gemini-format stub
 * upstream (the `@preloop/plugin-gemini` provider).
 */

import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from '@preloop/core/testing';
import { createNodeGateway } from '@preloop/gateway/node';
import { gemini } from '@preloop/plugin-gemini';
import { anthropicCanaryKey, openAICanaryKey, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const geminiCanaryKey = 'AIzaSyGeminiCanary0123456789abcdefCANARY';

interface StubRequest {
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** A local upstream speaking Google's Gemini API (`generateContent`, `streamGenerateContent?alt=sse`, `countTokens`). */
async function startGeminiStub() {
  const requests: StubRequest[] = [];
  const usageMetadata = { promptTokenCount: 50, candidatesTokenCount: 7, thoughtsTokenCount: 3, totalTokenCount: 60 };
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const [path, query = ''] = (incoming.url ?? '/').split('?');
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
      requests.push({ path: path!, query, headers: incoming.headers, body });
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (incoming.headers['x-goog-api-key'] !== geminiCanaryKey)
        return json(401, { error: { code: 401, message: 'API key not valid.', status: 'UNAUTHENTICATED' } });
      if (path!.endsWith(':countTokens')) return json(200, { totalTokens: 17 });
      const tool = body?.tools?.[0]?.functionDeclarations?.[0]?.name;
      const parts = tool ? [{ functionCall: { name: tool, args: { city: 'Paris' } } }] : [{ text: 'Native Gemini.' }];
      if (path!.endsWith(':generateContent'))
        return json(200, {
          candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
          usageMetadata,
          modelVersion: 'gemini-2.5-flash',
        });
      if (path!.endsWith(':streamGenerateContent') && query === 'alt=sse') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const events = [
          { candidates: [{ content: { role: 'model', parts: [{ text: 'Native ' }] }, index: 0 }], usageMetadata: { promptTokenCount: 50 } },
          { candidates: [{ content: { role: 'model', parts: [{ text: 'stream.' }] }, finishReason: 'STOP', index: 0 }], usageMetadata },
        ];
        for (const event of events) response.write(`data: ${JSON.stringify(event)}\r\n\r\n`);
        return response.end();
      }
      return json(404, { error: { code: 404, message: `stub: no route ${path}`, status: 'NOT_FOUND' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const dialect = testDialects()[0]!;

describe('Gemini ingress (official @google/genai client)', () => {
  let harness: GatewayHarness;
  let stub: Awaited<ReturnType<typeof startGeminiStub>>;
  let ai: GoogleGenAI;
  const client = (apiKey: string) =>
    new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${harness.url}/gemini`, retryOptions: { attempts: 1 } } });
  const upstreamBody = () => harness.upstream.requests.at(-1)!.body;

  beforeAll(async () => {
    stub = await startGeminiStub();
    harness = await startGatewayHarness(dialect, {
      plugins: [gemini()],
      allowModels: ['gpt-mock', 'claude-mock', 'gemini-native', 'metered'],
      aliases: [
        { alias: 'gemini-native', provider: 'gemini', model: 'gemini-2.5-flash', baseUrl: `${stub.url}/v1beta`, apiKey: geminiCanaryKey },
      ],
    });
    ai = client(harness.apiKey);
  });
  afterAll(async () => {
    await harness?.close();
    await stub?.close();
  });
  beforeEach(() => {
    harness.upstream.handle = null;
  });

  describe.each(['gpt-mock', 'claude-mock'])('translated to %s', (model) => {
    it('generateContent: system instruction, generation config and usage metadata', async () => {
      const response = await ai.models.generateContent({
        model,
        contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
        config: { systemInstruction: 'Be brief.', temperature: 0.5, maxOutputTokens: 64, stopSequences: ['END'] },
      });
      const openai = model === 'gpt-mock';
      expect(response.text).toBe(openai ? 'Hello from the mock OpenAI upstream.' : 'Hello from the mock Anthropic upstream.');
      expect(response.candidates?.[0]?.finishReason).toBe('STOP');
      // OpenAI: 120 in (20 cached) / 30 out (8 reasoning); Anthropic: 100 + 50 cached + 10 cache writes in / 40 out.
      expect(response.usageMetadata).toEqual(
        openai
          ? { promptTokenCount: 120, candidatesTokenCount: 22, thoughtsTokenCount: 8, cachedContentTokenCount: 20, totalTokenCount: 150 }
          : { promptTokenCount: 160, candidatesTokenCount: 40, cachedContentTokenCount: 50, totalTokenCount: 200 },
      );
      const body = upstreamBody();
      if (openai) {
        expect(body).toMatchObject({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Say hello' },
          ],
          temperature: 0.5,
          max_completion_tokens: 64,
          stop: ['END'],
        });
      } else {
        expect(body).toMatchObject({
          model: 'claude-haiku-4-5',
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'Say hello' }],
          temperature: 0.5,
          max_tokens: 64,
          stop_sequences: ['END'],
        });
      }
      await harness.flush();
      const records = (await harness.admin('GET', `/usage?limit=200`)).body.items.filter(
        (item: { alias: string; operation: string }) => item.alias === model && item.operation === 'generateContent',
      );
      expect(records[0]).toMatchObject({
        status: 'success',
        streamed: false,
        inputTokens: openai ? 120 : 160,
        outputTokens: openai ? 30 : 40,
      });
    });

    it('streamGenerateContent (alt=sse): text in pieces, usage in the last event, the call metered', async () => {
      const stream = await ai.models.generateContentStream({ model, contents: 'Stream please' });
      let text = '';
      let last: any = null;
      for await (const chunk of stream) {
        text += chunk.text ?? '';
        last = chunk;
      }
      expect(text).toBe(model === 'gpt-mock' ? 'Hello from the mock OpenAI upstream.' : 'Hello from the mock Anthropic upstream.');
      expect(last.candidates[0].finishReason).toBe('STOP');
      expect(last.usageMetadata.totalTokenCount).toBe(model === 'gpt-mock' ? 150 : 200);
      expect(upstreamBody().stream).toBe(true);
      await harness.flush();
      const records = (await harness.admin('GET', `/usage?limit=200`)).body.items.filter(
        (item: { alias: string; operation: string }) => item.alias === model && item.operation === 'streamGenerateContent',
      );
      expect(records[0]).toMatchObject({ status: 'success', streamed: true, usageEstimated: false });
    });

    it('function calling round trip with dotted MCP tool names, mapped both ways', async () => {
      const tools = [
        {
          functionDeclarations: [
            {
              name: 'mcp_preloop_pin.deploy',
              description: 'Deploy',
              parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
            },
            { name: 'mcp_preloop_pin_deploy', parameters: { type: Type.OBJECT, properties: { n: { type: Type.INTEGER } } } },
          ],
        },
      ];
      const first = await ai.models.generateContent({
        model,
        contents: 'Deploy to Paris',
        config: { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } } },
      });
      const sent = upstreamBody();
      const names = model === 'gpt-mock' ? sent.tools.map((tool: any) => tool.function.name) : sent.tools.map((tool: any) => tool.name);
      for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(new Set(names).size).toBe(2);
      expect(names[1]).toBe('mcp_preloop_pin_deploy');
      if (model === 'gpt-mock')
        expect(sent.tools[1].function.parameters).toEqual({ type: 'object', properties: { n: { type: 'integer' } } });
      const call = first.functionCalls?.[0];
      expect(call).toMatchObject({ name: 'mcp_preloop_pin.deploy', args: { city: 'Paris' } });
      expect(call?.id).toBeTruthy();

      await ai.models.generateContent({
        model,
        contents: [
          { role: 'user', parts: [{ text: 'Deploy to Paris' }] },
          { role: 'model', parts: first.candidates![0]!.content!.parts! },
          { role: 'user', parts: [{ functionResponse: { id: call!.id, name: call!.name!, response: { output: 'deployed' } } }] },
        ],
        config: { tools },
      });
      const history = upstreamBody().messages;
      if (model === 'gpt-mock') {
        expect(history[1]).toMatchObject({
          role: 'assistant',
          tool_calls: [{ id: call!.id, function: { name: names[0], arguments: '{"city":"Paris"}' } }],
        });
        expect(history[2]).toEqual({ role: 'tool', tool_call_id: call!.id, content: '{"output":"deployed"}' });
      } else {
        expect(history[1].content).toContainEqual({ type: 'tool_use', id: call!.id, name: names[0], input: { city: 'Paris' } });
        expect(history[2].content[0]).toMatchObject({ type: 'tool_result', tool_use_id: call!.id });
      }

      // Streamed, the call arrives whole in the last event under the client's name.
      const stream = await ai.models.generateContentStream({ model, contents: 'Deploy to Paris', config: { tools } });
      const calls = [];
      for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
      expect(calls).toEqual([expect.objectContaining({ name: 'mcp_preloop_pin.deploy', args: { city: 'Paris' } })]);
    });

    it('JSON-schema output: responseMimeType + responseJsonSchema (and the OpenAPI responseSchema) become structured output', async () => {
      const schema = { type: 'object', properties: { route: { type: 'string' } }, required: ['route'] };
      await ai.models.generateContent({
        model,
        contents: 'Classify',
        config: { responseMimeType: 'application/json', responseJsonSchema: schema, thinkingConfig: { thinkingBudget: 4096 } },
      });
      const body = upstreamBody();
      if (model === 'gpt-mock') {
        expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema, strict: false } });
        expect(body.reasoning_effort).toBe('medium');
      } else {
        expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
        expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
        expect(body.max_tokens).toBeGreaterThan(4096);
      }
      await ai.models.generateContent({
        model,
        contents: 'Classify',
        config: {
          responseMimeType: 'application/json',
          responseSchema: { type: Type.OBJECT, properties: { route: { type: Type.STRING, nullable: true } } },
        },
      });
      const converted = { type: 'object', properties: { route: { type: ['string', 'null'] } } };
      if (model === 'gpt-mock') expect(upstreamBody().response_format.json_schema.schema).toEqual(converted);
      else expect(upstreamBody().output_config.format.schema).toEqual(converted);
    });

    it('countTokens: an estimate, marked as such', async () => {
      const counted = await ai.models.countTokens({ model, contents: 'How many tokens is this?' });
      expect(counted.totalTokens).toBeGreaterThan(0);
    });
  });

  describe('a Gemini-backed alias (@preloop/plugin-gemini): passed through natively', () => {
    it('generateContent, streaming and countTokens reach the Gemini upstream unchanged, with its key', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-native',
        contents: 'Hi',
        config: { thinkingConfig: { thinkingBudget: -1, includeThoughts: true } },
      });
      expect(response.text).toBe('Native Gemini.');
      const sent = stub.requests.at(-1)!;
      expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
      expect(sent.headers['x-goog-api-key']).toBe(geminiCanaryKey);
      expect(sent.body).toEqual({
        contents: [{ parts: [{ text: 'Hi' }], role: 'user' }],
        generationConfig: { thinkingConfig: { thinkingBudget: -1, includeThoughts: true } },
      });
      expect(JSON.stringify(sent.headers)).not.toContain(harness.apiKey);

      let text = '';
      for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-native', contents: 'Hi' })) text += chunk.text ?? '';
      expect(text).toBe('Native stream.');
      expect(stub.requests.at(-1)).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', query: 'alt=sse' });

      expect((await ai.models.countTokens({ model: 'gemini-native', contents: 'Hi' })).totalTokens).toBe(17);
      await harness.flush();
      const records = (await harness.admin('GET', '/usage?limit=200')).body.items.filter(
        (item: { alias: string }) => item.alias === 'gemini-native',
      );
      expect(records.map((record: { operation: string }) => record.operation).sort()).toEqual(['generateContent', 'streamGenerateContent']);
      for (const record of records)
        expect(record).toMatchObject({ provider: 'gemini', inputTokens: 50, outputTokens: 10, reasoningTokens: 3 });
    });

    it('the OpenAI chat ingress reaches it through translation: text, streaming, a tool call round trip, usage', async () => {
      const openai = harness.openaiClient();
      const completion = await openai.chat.completions.create({
        model: 'gemini-native',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ],
        max_completion_tokens: 100,
        temperature: 0.2,
        response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
        reasoning_effort: 'low',
      });
      expect(completion.choices[0]!.message.content).toBe('Native Gemini.');
      expect(completion.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 });
      expect(stub.requests.at(-1)!.body).toEqual({
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        generationConfig: {
          maxOutputTokens: 100,
          temperature: 0.2,
          responseMimeType: 'application/json',
          responseJsonSchema: { type: 'object' },
          thinkingConfig: { thinkingBudget: 2048 },
        },
      });

      const tools = [{ type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: {} } } }];
      const called = await openai.chat.completions.create({
        model: 'gemini-native',
        messages: [{ role: 'user', content: 'weather?' }],
        tools,
      });
      const call = called.choices[0]!.message.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
      expect(called.choices[0]!.finish_reason).toBe('tool_calls');
      expect(call.function).toEqual({ name: 'weather', arguments: '{"city":"Paris"}' });
      await openai.chat.completions.create({
        model: 'gemini-native',
        messages: [
          { role: 'user', content: 'weather?' },
          called.choices[0]!.message,
          { role: 'tool', tool_call_id: call.id, content: 'sunny' },
        ],
      });
      expect(stub.requests.at(-1)!.body.contents).toEqual([
        { role: 'user', parts: [{ text: 'weather?' }] },
        { role: 'model', parts: [{ functionCall: { id: call.id, name: 'weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { id: call.id, name: 'weather', response: { output: 'sunny' } } }] },
      ]);

      const stream = await openai.chat.completions.create({
        model: 'gemini-native',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: unknown = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        usage = chunk.usage ?? usage;
      }
      expect(text).toBe('Native stream.');
      expect(usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 10 });
      expect(stub.requests.at(-1)).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', query: 'alt=sse' });
    });

    it('the Anthropic and Responses ingresses reach it too, streaming included; embeddings are a 400', async () => {
      const anthropic = harness.anthropicClient();
      const message = await anthropic.messages.create({
        model: 'gemini-native',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Native Gemini.' })]);
      expect(message.usage).toMatchObject({ input_tokens: 50, output_tokens: 10 });
      const streamed = await anthropic.messages
        .stream({ model: 'gemini-native', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
        .finalMessage();
      expect(streamed.content).toEqual([expect.objectContaining({ type: 'text', text: 'Native stream.' })]);
      const response = await harness.openaiClient().responses.create({ model: 'gemini-native', input: 'hi' });
      expect(response.output_text).toBe('Native Gemini.');
      await expect(harness.openaiClient().embeddings.create({ model: 'gemini-native', input: 'x' })).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('models, authentication and errors in Google’s shape', () => {
    it('as Express-style middleware, createNodeGateway serves the Gemini base path and passes other paths on', async () => {
      const middleware = createNodeGateway(harness.preloop);
      const server = createServer((request, response) =>
        middleware(request, response, () => {
          response.writeHead(418);
          response.end();
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const listed = await fetch(`${base}/gemini/v1beta/models`, { headers: { 'x-goog-api-key': harness.apiKey } });
        expect(listed.status).toBe(200);
        expect((await fetch(`${base}/gemini/other`)).status).toBe(418);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('lists the models the credential may use, and gets one', async () => {
      const listed = await fetch(`${harness.url}/gemini/v1beta/models`, { headers: { 'x-goog-api-key': harness.apiKey } });
      const names = (await listed.json()).models.map((model: { name: string }) => model.name);
      expect(names).toEqual(['models/claude-mock', 'models/gemini-native', 'models/gpt-mock']);
      const model = await ai.models.get({ model: 'gpt-mock' });
      expect(model).toMatchObject({ name: 'models/gpt-mock', supportedActions: expect.arrayContaining(['generateContent']) });
    });

    it('streamGenerateContent without alt=sse answers Google’s JSON array, streamed, on every kind of alias', async () => {
      for (const model of ['gpt-mock', 'claude-mock', 'gemini-native']) {
        const response = await fetch(`${harness.url}/gemini/v1beta/models/${model}:streamGenerateContent`, {
          method: 'POST',
          headers: { 'x-goog-api-key': harness.apiKey },
          body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
        });
        expect(response.status, model).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        const text = await response.text();
        expect(text.startsWith('[{')).toBe(true);
        const events = JSON.parse(text);
        expect(events.length).toBeGreaterThan(1);
        const joined = events.map((event: any) => event.candidates?.[0]?.content?.parts?.[0]?.text ?? '').join('');
        expect(joined, model).toMatch(/Hello from the mock|Native stream\./);
        expect(events.at(-1).usageMetadata.totalTokenCount).toBeGreaterThan(0);
      }
      // An upstream error mid-stream is the array's last element, in Google's shape.
      harness.upstream.handle = () => ({
        sse: [
          'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n',
          'data: {"error":{"message":"boom","type":"server_error"}}\n\n',
        ],
      });
      const broken = await fetch(`${harness.url}/gemini/v1beta/models/gpt-mock:streamGenerateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': harness.apiKey },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      const events = JSON.parse(await broken.text());
      expect(events.at(-1).error).toMatchObject({ message: 'boom', status: 'UNAVAILABLE' });
      const noKey = await fetch(`${harness.url}/gemini/v1beta/models/gpt-mock:streamGenerateContent`, { method: 'POST', body: '{}' });
      expect(noKey.status).toBe(401);
    });

    it('accepts ?key= and bearer credentials, and never writes the key to the log or the audit trail', async () => {
      const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
      const byQuery = await fetch(`${harness.url}/gemini/v1beta/models/gpt-mock:generateContent?key=${harness.apiKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(byQuery.status).toBe(200);
      const wrongQuery = await fetch(`${harness.url}/gemini/v1beta/models/free-mock:generateContent?key=${harness.apiKey}`, {
        method: 'POST',
        body,
      });
      expect(wrongQuery.status).toBe(403);
      expect(await wrongQuery.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
      const byBearer = await fetch(`${harness.url}/gemini/v1beta/models/gpt-mock:generateContent`, {
        method: 'POST',
        headers: { authorization: `Bearer ${harness.apiKey}` },
        body,
      });
      expect(byBearer.status).toBe(200);
      await harness.flush();
      const audit = await harness.preloop.audit.query({ accountId: harness.preloop.accountId, limit: 500 } as never);
      expect(JSON.stringify(audit)).not.toContain(harness.apiKey);
      expect(harness.logs.join('\n')).not.toContain(harness.apiKey);
      for (const secret of [openAICanaryKey, anthropicCanaryKey, geminiCanaryKey]) expect(harness.logs.join('\n')).not.toContain(secret);
    });

    it('answers 401, 404, 405, 400 and upstream 429/503 in Google’s error shape', async () => {
      const unauthenticated = await client('not-a-key')
        .models.generateContent({ model: 'gpt-mock', contents: 'hi' })
        .catch((error) => error);
      expect(unauthenticated).toBeInstanceOf(ApiError);
      expect(unauthenticated.status).toBe(401);
      expect(JSON.parse(unauthenticated.message)).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });

      const missing = await ai.models.generateContent({ model: 'nope', contents: 'hi' }).catch((error) => error);
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.message).error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: expect.stringContaining('nope') });

      for (const path of ['/gemini/v1beta/files', '/gemini/v1beta', '/gemini/v1beta/models/gpt-mock:embedContent']) {
        const unknown = await fetch(`${harness.url}${path}`, { method: 'POST', headers: { 'x-goog-api-key': harness.apiKey } });
        expect(unknown.status, path).toBe(404);
        expect((await unknown.json()).error, path).toMatchObject({ code: 404, status: 'NOT_FOUND' });
      }
      const wrongMethod = await fetch(`${harness.url}/gemini/v1beta/models/gpt-mock:generateContent`, {
        headers: { 'x-goog-api-key': harness.apiKey },
      });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');

      const malformed = await ai.models
        .generateContent({ model: 'gpt-mock', contents: [{ role: 'user', parts: [{ executableCode: { code: 'x' } } as never] }] })
        .catch((error) => error);
      expect(malformed.status).toBe(400);
      expect(JSON.parse(malformed.message).error.message).toContain('executableCode');

      for (const [status, name] of [
        [429, 'RESOURCE_EXHAUSTED'],
        [503, 'UNAVAILABLE'],
      ] as const) {
        harness.upstream.handle = () => ({ status, json: { error: { message: 'upstream says no', type: 'x' } } });
        const failed = await ai.models.generateContent({ model: 'gpt-mock', contents: 'hi' }).catch((error) => error);
        expect(failed.status).toBe(status);
        expect(JSON.parse(failed.message).error).toMatchObject({ code: status, status: name, message: 'upstream says no' });
      }
    });
  });

  describe('governance like the other ingresses', () => {
    it('meters a runtime session’s call, and a budget refusal answers 429 RESOURCE_EXHAUSTED in Google’s shape', async () => {
      await harness.preloop
        .service('gateway')
        .models.create(
          harness.preloop.accountId,
          { alias: 'metered', provider: 'openai', model: 'gpt-4o-mini', baseUrl: `${harness.upstream.url}/v1`, apiKey: openAICanaryKey },
          { type: 'system', name: 'test' },
        );
      const agent = await harness.preloop.identity.agents.enroll(harness.preloop.accountId, { name: 'gemini-cli', kind: 'custom' });
      const { session, credential } = await harness.preloop.identity.runtimeSessions.start(harness.preloop.accountId, {
        name: 'gemini session',
        agentId: agent.id,
        audience: ['gateway'],
      });
      const agentClient = client(credential.token);
      await agentClient.models.generateContent({ model: 'metered', contents: 'hi' });
      await harness.flush();
      const usage = await harness.admin('GET', `/usage?sessionId=${session.id}`);
      expect(usage.body.items).toHaveLength(1);
      expect(usage.body.items[0]).toMatchObject({
        alias: 'metered',
        operation: 'generateContent',
        agentId: agent.id,
        runtimeSessionId: session.id,
        inputTokens: 120,
        outputTokens: 30,
      });
      expect(usage.body.items[0].costMicros).toBeGreaterThan(0);

      const budget = await harness.admin('POST', '/budgets', {
        name: 'gemini cap',
        scope: { type: 'model', id: 'metered' },
        period: 'month',
        hardLimitMicros: 1,
      });
      expect(budget.status).toBe(201);
      const refused = await agentClient.models.generateContent({ model: 'metered', contents: 'hi' }).catch((error) => error);
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.message).error).toMatchObject({
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: expect.stringContaining('gemini cap'),
        details: [expect.objectContaining({ reason: 'BUDGET_EXCEEDED' })],
      });
      await harness.flush();
      const audit = await harness.preloop.audit.query({ accountId: harness.preloop.accountId, action: 'model.call', limit: 200 } as never);
      expect(audit.items).toContainEqual(
        expect.objectContaining({ outcome: 'denied', targetId: 'metered', data: expect.objectContaining({ code: 'BUDGET_EXCEEDED' }) }),
      );
    });
  });
});
