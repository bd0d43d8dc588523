/**
 * A local upstream that speaks the OpenAI (`/v1/chat/completions`,
 * `/v1/responses`, `/v1/embeddings`) and Anthropic (`/v1/messages`,
 * `/v1/messages/count_tokens`) wire formats, streaming included, with tool
 * calls, cached and reasoning usage, and controllable delays, errors and
 * hangs. It checks the provider credential and records every request and when
 * its connection closed. Test and bench support only.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicEventsOf, openAIChunksOf } from './stream-helpers.js';
import { createOpenAIChatToResponsesStreamTranslator } from '../src/translate/chat-to-responses-stream.js';
import { toResponsesResponse } from '../src/translate/chat-to-responses-response.js';
import type { AnthropicMessage } from '../src/wire/anthropic-types.js';
import type { OpenAIChatCompletion } from '../src/wire/openai-types.js';

/** What the mock answers. */
export type MockReply =
  | { status?: number; json: unknown; headers?: Record<string, string>; delayMs?: number }
  | { status?: number; text: string; headers?: Record<string, string>; delayMs?: number }
  | { sse: string[]; status?: number; firstDelayMs?: number; chunkDelayMs?: number; hang?: boolean; destroy?: boolean }
  | { destroy: true; delayMs?: number };

/** A request the mock received. */
export interface MockRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** Epoch ms when the connection closed; null while open. */
  closedAt: number | null;
  /** True when it closed before the mock finished answering (the gateway aborted it). */
  aborted: boolean;
  /** Resolves when the connection closes. */
  closed: Promise<void>;
}

/** A running mock upstream. */
export interface MockUpstream {
  url: string;
  requests: MockRequest[];
  /** Overrides the answer; return undefined for the default one. */
  handle: ((request: MockRequest) => MockReply | undefined) | null;
  close(): Promise<void>;
}

const sse = (event: object | string, named: boolean) =>
  typeof event === 'string'
    ? `data: ${event}\n\n`
    : named
      ? `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`
      : `data: ${JSON.stringify(event)}\n\n`;

/** The OpenAI chat completion the mock answers `body` with (a tool call when tools are offered). */
export function mockChatCompletion(body: any): OpenAIChatCompletion {
  const tool = body.tools?.[0]?.function?.name;
  return {
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    created: 1_760_000_000,
    model: body.model,
    choices: [
      {
        index: 0,
        message: tool
          ? {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: 'call_mock_1', type: 'function', function: { name: tool, arguments: '{"city":"Paris"}' } }],
            }
          : { role: 'assistant', content: 'Hello from the mock OpenAI upstream.', refusal: null },
        finish_reason: tool ? 'tool_calls' : 'stop',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: 120,
      completion_tokens: 30,
      total_tokens: 150,
      prompt_tokens_details: { cached_tokens: 20 },
      completion_tokens_details: { reasoning_tokens: 8 },
    },
  };
}

/** The Anthropic message the mock answers `body` with (a tool use when tools are offered). */
export function mockAnthropicMessage(body: any): AnthropicMessage {
  const tool = body.tools?.[0]?.name;
  return {
    id: 'msg_mock',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: tool
      ? [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_mock_1', name: tool, input: { city: 'Paris' } },
        ]
      : [{ type: 'text', text: 'Hello from the mock Anthropic upstream.' }],
    stop_reason: tool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 50, cache_creation_input_tokens: 10 },
  };
}

/** The default answer to `request`. */
export function defaultMockReply(request: MockRequest): MockReply {
  const { path, body } = request;
  const stream = body?.stream === true;
  if (path === '/v1/chat/completions') {
    const completion = mockChatCompletion(body);
    if (!stream) return { json: completion };
    const chunks = openAIChunksOf(completion, [0.3, 0.6], { includeUsage: body.stream_options?.include_usage === true });
    return { sse: [...chunks.map((chunk) => sse(chunk, false)), 'data: [DONE]\n\n'] };
  }
  if (path === '/v1/responses') {
    const completion = mockChatCompletion({ ...body, tools: body.tools?.map((tool: any) => ({ function: tool })) });
    if (!stream) return { json: toResponsesResponse(completion, { request: body }) };
    const translator = createOpenAIChatToResponsesStreamTranslator({ request: body });
    const events = [...openAIChunksOf(completion, [0.5]).flatMap((chunk) => translator.push(chunk)), ...translator.end()];
    return { sse: events.map((event) => sse(event, true)) };
  }
  if (path === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const vector = [0.25, -0.5, 0.75];
    const data = inputs.map((_: unknown, index: number) => ({
      object: 'embedding',
      index,
      embedding: body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
    }));
    return {
      json: { object: 'list', data, model: body.model, usage: { prompt_tokens: 8 * inputs.length, total_tokens: 8 * inputs.length } },
    };
  }
  if (path === '/v1/messages') {
    const message = mockAnthropicMessage(body);
    if (!stream) return { json: message };
    const events = anthropicEventsOf(message, [0.5]);
    events.splice(2, 0, { type: 'ping' });
    return { sse: events.map((event) => sse(event, true)) };
  }
  if (path === '/v1/messages/count_tokens') return { json: { input_tokens: 42 } };
  return { status: 404, json: { error: { message: `mock: no route ${path}`, type: 'not_found' } } };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function answer(reply: MockReply, response: ServerResponse, request: MockRequest): Promise<void> {
  if ('destroy' in reply && !('sse' in reply)) {
    if (reply.delayMs) await sleep(reply.delayMs);
    response.socket?.destroy();
    return;
  }
  if ('sse' in reply) {
    response.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (reply.firstDelayMs) await sleep(reply.firstDelayMs);
    else response.flushHeaders();
    for (const [index, piece] of reply.sse.entries()) {
      if (request.closedAt !== null) return;
      if (index > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
      response.write(piece);
    }
    if (reply.destroy) {
      await sleep(reply.chunkDelayMs ?? 20);
      response.socket?.destroy();
    } else if (!reply.hang) response.end();
    return;
  }
  if (reply.delayMs) await sleep(reply.delayMs);
  if (request.closedAt !== null) return;
  const text = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
  response.writeHead(reply.status ?? 200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  response.end(text);
}

/**
 * Starts a mock upstream on a free loopback port. `credentials` are the keys
 * it accepts (`Authorization: Bearer` or `x-api-key`); a wrong key gets a 401
 * echoing a masked key, as OpenAI does.
 *
 * @example
 * ```ts
 * const upstream = await startMockUpstream({ credentials: ['sk-test'] });
 * // OpenAI base URL: `${upstream.url}/v1`; Anthropic base URL: upstream.url
 * ```
 */
export async function startMockUpstream(options: { credentials?: string[] } = {}): Promise<MockUpstream> {
  const mock: MockUpstream = { url: '', requests: [], handle: null, close: async () => {} };
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      let resolveClosed!: () => void;
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const request: MockRequest = {
        path: (incoming.url ?? '/').split('?')[0]!,
        headers: incoming.headers,
        body,
        closedAt: null,
        aborted: false,
        closed: new Promise<void>((resolve) => (resolveClosed = resolve)),
      };
      mock.requests.push(request);
      response.on('close', () => {
        request.closedAt = Date.now();
        request.aborted = !response.writableFinished;
        resolveClosed();
      });
      const presented = incoming.headers['x-api-key'] ?? String(incoming.headers.authorization ?? '').replace(/^Bearer /, '');
      if (options.credentials && !options.credentials.includes(String(presented))) {
        const masked = `${String(presented).slice(0, 3)}****${String(presented).slice(-4)}`;
        void answer(
          {
            status: 401,
            json: {
              error: {
                message: `Incorrect API key provided: ${masked} (full: ${String(presented)})`,
                type: 'invalid_request_error',
                code: 'invalid_api_key',
              },
            },
          },
          response,
          request,
        );
        return;
      }
      void answer(mock.handle?.(request) ?? defaultMockReply(request), response, request).catch(() => response.destroy());
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return mock;
}
