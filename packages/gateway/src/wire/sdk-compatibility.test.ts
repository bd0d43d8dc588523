/**
 * The official SDKs, unmodified, against translated payloads: each client's
 * `fetch` is answered with what the gateway will send (translator output
 * serialized by our SSE encoders), and the request each client sends is fed to
 * our request translators.
 */

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { anthropicEventsOf, openAIChunksOf } from '../../test-fixtures/stream-helpers.js';
import { anthropicToolUseMessage, openAIToolCallsCompletion, openAITextCompletion } from '../../test-fixtures/wire-fixtures.js';
import {
  encodeAnthropicEvent,
  encodeOpenAIChatChunk,
  encodeOpenAIStreamError,
  encodeResponsesEvent,
  openAIStreamDone,
} from '../sse/serialize-sse.js';
import { toOpenAIChatCompletion } from '../translate/anthropic-to-openai-response.js';
import { createAnthropicToOpenAIStreamTranslator } from '../translate/anthropic-to-openai-stream.js';
import { toOpenAIChatRequest } from '../translate/anthropic-to-openai-request.js';
import { toResponsesResponse } from '../translate/chat-to-responses-response.js';
import { createOpenAIChatToResponsesStreamTranslator } from '../translate/chat-to-responses-stream.js';
import { toAnthropicRequest } from '../translate/openai-to-anthropic-request.js';
import { toAnthropicMessage } from '../translate/openai-to-anthropic-response.js';
import { createOpenAIToAnthropicStreamTranslator } from '../translate/openai-to-anthropic-stream.js';
import { toOpenAIChatRequestFromResponses } from '../translate/responses-to-chat-request.js';
import type { AnthropicMessagesRequest } from './anthropic-types.js';
import type { ResponsesRequest } from './openai-responses-types.js';
import type { OpenAIChatCompletionRequest } from './openai-types.js';

type Handler = (body: unknown) => Response;

/** A `fetch` that answers every call with `handler(parsed JSON body)` and records the bodies. */
function gatewayFetch(handler: Handler) {
  const bodies: unknown[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? 'null'));
    bodies.push(body);
    return handler(body);
  };
  return { fetch, bodies };
}

const json = (value: unknown) => new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json' } });
const sse = (text: string) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        // Deliver in small pieces, as a network would.
        const bytes = new TextEncoder().encode(text);
        for (let offset = 0; offset < bytes.length; offset += 37) controller.enqueue(bytes.slice(offset, offset + 37));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

function openAIClient(handler: Handler) {
  const { fetch, bodies } = gatewayFetch(handler);
  return { client: new OpenAI({ apiKey: 'pl_test', baseURL: 'http://gateway.test/openai/v1', fetch, maxRetries: 0 }), bodies };
}

function anthropicClient(handler: Handler) {
  const { fetch, bodies } = gatewayFetch(handler);
  return {
    client: new Anthropic({ apiKey: 'pl_test', baseURL: 'http://gateway.test/anthropic', fetch, maxRetries: 0 }),
    bodies,
  };
}

/** OpenAI chat ingress served by an Anthropic upstream. */
function chatOverAnthropic(body: unknown): Response {
  const request = body as OpenAIChatCompletionRequest;
  const upstreamRequest = toAnthropicRequest(request, { model: 'claude-sonnet-4-5' });
  expect(upstreamRequest.model).toBe('claude-sonnet-4-5');
  if (!request.stream) return json(toOpenAIChatCompletion(anthropicToolUseMessage, { model: request.model }));
  const translator = createAnthropicToOpenAIStreamTranslator({
    includeUsage: request.stream_options?.include_usage ?? false,
    model: request.model,
  });
  let text = '';
  for (const event of anthropicEventsOf(anthropicToolUseMessage, [0.2, 0.5, 0.8])) {
    for (const chunk of translator.push(event)) text += encodeOpenAIChatChunk(chunk);
  }
  for (const chunk of translator.end()) text += encodeOpenAIChatChunk(chunk);
  return sse(text + openAIStreamDone);
}

describe('official openai client, chat completions over an Anthropic upstream', () => {
  const params = {
    model: 'claude-alias',
    messages: [
      { role: 'system' as const, content: 'You are a weather assistant.' },
      { role: 'user' as const, content: 'Weather in San Francisco?' },
    ],
    tools: [weatherTool],
  };

  it('reads a non-streaming completion with tool calls', async () => {
    const { client, bodies } = openAIClient(chatOverAnthropic);
    const completion = await client.chat.completions.create(params);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'San Francisco, CA', unit: 'celsius' });
    expect(completion.usage).toMatchObject({ prompt_tokens: 2_520, prompt_tokens_details: { cached_tokens: 2_048 } });
    expect(bodies[0]).toMatchObject({ model: 'claude-alias' });
  });

  it('accumulates a stream with ChatCompletionStream, usage included', async () => {
    const { client } = openAIClient(chatOverAnthropic);
    const stream = client.chat.completions.stream({ ...params, stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe("I'll check the current weather in San Francisco for you.");
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function).toEqual({
      name: 'get_weather',
      arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
    });
    expect(final.usage?.completion_tokens).toBe(89);
  });

  it('raises an error event sent mid-stream as an APIError', async () => {
    const { client } = openAIClient(() =>
      sse(encodeOpenAIStreamError({ error: { message: 'Upstream overloaded', type: 'server_error', param: null, code: null } })),
    );
    const stream = await client.chat.completions.create({ ...params, stream: true });
    await expect(async () => {
      for await (const chunk of stream) void chunk;
    }).rejects.toThrow(/Upstream overloaded/);
  });
});

/** OpenAI Responses ingress served by a chat-completions upstream (streams come from an Anthropic upstream, translated twice). */
function responsesOverChat(body: unknown): Response {
  const request = body as ResponsesRequest;
  const chatRequest = toOpenAIChatRequestFromResponses(request, { model: 'gpt-4.1' });
  expect(chatRequest.messages.length).toBeGreaterThan(0);
  if (!request.stream) return json(toResponsesResponse(openAITextCompletion, { request, model: request.model! }));
  const chatToResponses = createOpenAIChatToResponsesStreamTranslator({ request, model: request.model! });
  const anthropicToChat = createAnthropicToOpenAIStreamTranslator({ includeUsage: true });
  let text = '';
  const pushChunks = (chunks: ReturnType<typeof anthropicToChat.push>) => {
    for (const chunk of chunks) for (const event of chatToResponses.push(chunk)) text += encodeResponsesEvent(event);
  };
  for (const event of anthropicEventsOf(anthropicToolUseMessage, [0.3, 0.7])) pushChunks(anthropicToChat.push(event));
  pushChunks(anthropicToChat.end());
  for (const event of chatToResponses.end()) text += encodeResponsesEvent(event);
  return sse(text);
}

describe('official openai client, responses over a chat (and Anthropic) upstream', () => {
  it('reads a non-streaming response, output_text included', async () => {
    const { client } = openAIClient(responsesOverChat);
    const response = await client.responses.create({ model: 'gpt-alias', instructions: 'Be brief.', input: 'Describe the image.' });
    expect(response.output_text).toBe('The image shows a wooden boardwalk through a lush green marsh.');
    expect(response.status).toBe('completed');
    expect(response.usage?.input_tokens).toBe(1_117);
  });

  it('iterates a streamed response event by event', async () => {
    const { client } = openAIClient(responsesOverChat);
    const stream = await client.responses.create({
      model: 'gpt-alias',
      input: 'Weather in SF?',
      stream: true,
      tools: [{ type: 'function', name: 'get_weather', parameters: weatherTool.function.parameters, strict: false }],
    });
    const types: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(completed?.usage?.total_tokens).toBe(2_609);
  });

  it('accumulates a streamed response with ResponseStream', async () => {
    const { client } = openAIClient(responsesOverChat);
    const stream = client.responses.stream({ model: 'gpt-alias', input: 'Weather in SF?' });
    const textDeltas: string[] = [];
    stream.on('response.output_text.delta', (event) => textDeltas.push(event.delta));
    const response = await stream.finalResponse();
    expect(textDeltas.join('')).toBe("I'll check the current weather in San Francisco for you.");
    // (`finalResponse()` only fills `output_text` for auto-parsed formats, with the real API too.)
    const message = response.output.find((item) => item.type === 'message');
    expect(message?.type === 'message' && message.content).toMatchObject([
      { type: 'output_text', text: "I'll check the current weather in San Francisco for you." },
    ]);
    const call = response.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' });
  });
});

/** Anthropic ingress served by an OpenAI upstream. */
function messagesOverOpenAI(body: unknown): Response {
  const request = body as AnthropicMessagesRequest;
  const upstreamRequest = toOpenAIChatRequest(request, { model: 'gpt-4.1' });
  expect(upstreamRequest.max_completion_tokens).toBe(request.max_tokens);
  if (!request.stream) return json(toAnthropicMessage(openAIToolCallsCompletion, { model: request.model }));
  const translator = createOpenAIToAnthropicStreamTranslator({ model: request.model });
  const completion = structuredClone(openAIToolCallsCompletion);
  completion.choices[0]!.message.content = 'Checking both cities.';
  let text = '';
  for (const chunk of openAIChunksOf(completion, [0.25, 0.5, 0.75])) {
    for (const event of translator.push(chunk)) text += encodeAnthropicEvent(event);
  }
  for (const event of translator.end()) text += encodeAnthropicEvent(event);
  return sse(text);
}

describe('official Anthropic client, messages over an OpenAI upstream', () => {
  const params = {
    model: 'gpt-alias',
    max_tokens: 1_024,
    system: 'You are a weather assistant.',
    messages: [{ role: 'user' as const, content: 'Weather in Paris and Bogotá?' }],
    tools: [
      {
        name: 'get_weather',
        description: 'Get the weather',
        input_schema: { type: 'object' as const, properties: { location: { type: 'string' } } },
      },
    ],
  };

  it('reads a non-streaming message with tool_use blocks', async () => {
    const { client } = anthropicClient(messagesOverOpenAI);
    const message = await client.messages.create(params);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((block) => block.type === 'tool_use' && block.input)).toEqual([
      { location: 'Paris, France' },
      { location: 'Bogotá, Colombia' },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 194, cache_read_input_tokens: 1_920 });
  });

  it('accumulates a stream with MessageStream, tool input and usage included', async () => {
    const { client, bodies } = anthropicClient(messagesOverOpenAI);
    const stream = client.messages.stream(params);
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();
    expect(bodies[0]).toMatchObject({ stream: true });
    expect(texts.join('')).toBe('Checking both cities.');
    expect(message.content).toMatchObject([
      { type: 'text', text: 'Checking both cities.' },
      { type: 'tool_use', id: 'call_ZiIpFHsgmBFDYmgRNmXe4wkA', name: 'get_weather', input: { location: 'Paris, France' } },
      { type: 'tool_use', id: 'call_3q9bVfT2Jk1Ll0mX7cO8eN4s', name: 'get_weather', input: { location: 'Bogotá, Colombia' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 194, cache_read_input_tokens: 1_920, output_tokens: 58 });
  });

  it('raises an error event as an APIError', async () => {
    const { client } = anthropicClient(() =>
      sse(
        encodeAnthropicEvent({ type: 'message_start', message: { ...anthropicToolUseMessage, content: [] } }) +
          encodeAnthropicEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ),
    );
    await expect(client.messages.stream(params).finalMessage()).rejects.toThrow(/Overloaded/);
  });
});
