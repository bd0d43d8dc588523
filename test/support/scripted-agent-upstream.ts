/**
 * A scripted model upstream for real coding agents (Claude Code, Codex): an
 * HTTP server speaking the Anthropic Messages API (`POST /v1/messages`,
 * `/v1/messages/count_tokens`) and the OpenAI Responses API
 * (`POST /v1/responses`), streaming (SSE) or not. In an agent's main loop it
 * calls the scripted tools one after the other, each once, then answers with
 * their results; a request without tools (titles, background work) gets a
 * short text, and a structured-output request JSON that fits its schema. When a scripted tool is not offered yet but Claude Code's
 * `ToolSearch` is (deferred MCP tools), it searches for it first. It checks
 * the provider key and records every request. Test support only.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One tool the script calls: the end of the agent's tool name, and its arguments. */
export interface ScriptedCall {
  /** Matched against the end of the offered tool's (flattened) name, for example `everything_echo`. */
  toolSuffix: string;
  input: Record<string, unknown>;
}

/** A request the upstream received. */
export interface ScriptedRequest {
  path: string;
  body: any;
  authorization: string | undefined;
}

/** A running scripted upstream. */
export interface ScriptedAgentUpstream {
  url: string;
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

/** Options of {@link startScriptedAgentUpstream}. */
export interface ScriptedAgentUpstreamOptions {
  /** The provider key the gateway must send (as `x-api-key` or a bearer token). */
  apiKey: string;
  /** The tools to call, in order. */
  calls: ScriptedCall[];
  /** The final answer, given the text of every tool result in order. */
  answer(results: string[]): string;
}

type Turn = { kind: 'text'; text: string } | { kind: 'tool'; id: string; name: string; namespace?: string; input: Record<string, unknown> };

let sequence = 0;
const nextId = (prefix: string) => `${prefix}_${++sequence}`;

/** Text of a tool result (Anthropic content or Responses output), flattened. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((part) => resultText((part as { text?: unknown; content?: unknown }).text ?? (part as { content?: unknown }).content ?? ''))
      .join('');
  return JSON.stringify(content ?? '');
}

/** What the script does next, given the offered tool names and the calls made so far (name → result). */
function plan(options: ScriptedAgentUpstreamOptions, offered: string[], made: Array<{ name: string; result: string | null }>): Turn {
  // Codex turns "-" in MCP tool names into "_".
  const ends = (name: string, suffix: string) => name.replaceAll('-', '_').endsWith(suffix.replaceAll('-', '_'));
  for (const call of options.calls) {
    if (made.some((entry) => ends(entry.name, call.toolSuffix))) continue;
    const name = offered.find((tool) => ends(tool, call.toolSuffix));
    if (name) return { kind: 'tool', id: nextId('toolu_scripted'), name, input: call.input };
    if (offered.includes('ToolSearch') && !made.some((entry) => entry.name === 'ToolSearch')) {
      return {
        kind: 'tool',
        id: nextId('toolu_scripted'),
        name: 'ToolSearch',
        input: { query: `select:${options.calls.map((each) => `mcp__preloop__${each.toolSuffix}`).join(',')}`, max_results: 10 },
      };
    }
    const searched = made.find((entry) => entry.name === 'ToolSearch')?.result;
    return {
      kind: 'text',
      text: `The tool ending in "${call.toolSuffix}" is not offered (tools: ${offered.join(', ')}).${searched ? ` ToolSearch said: ${searched}` : ''}`,
    };
  }
  const results = options.calls.map((call) => made.find((entry) => ends(entry.name, call.toolSuffix))?.result ?? '');
  return { kind: 'text', text: options.answer(results) };
}

/** A value that fits a JSON schema (the first of an enum, `scripted` strings, numbers at their minimum or 1), for structured-output requests. */
function sampleOf(schema: any): unknown {
  if (Array.isArray(schema?.enum)) return schema.enum[0];
  const type = String((Array.isArray(schema?.type) ? schema.type[0] : schema?.type) ?? '').toLowerCase();
  if (type === 'object' || schema?.properties)
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sampleOf(value)]));
  if (type === 'array') return [];
  if (type === 'number' || type === 'integer') return schema.minimum ?? 1;
  if (type === 'boolean') return false;
  return type === 'string' ? 'scripted' : null;
}

/** The Anthropic Messages turn: tools offered and calls made, read from the body. */
function anthropicTurn(options: ScriptedAgentUpstreamOptions, body: any): Turn {
  // Structured output (Gemini CLI's routing classifier, translated by the gateway): JSON that fits the schema.
  if (body.output_config?.format?.type === 'json_schema')
    return { kind: 'text', text: JSON.stringify(sampleOf(body.output_config.format.schema)) };
  const offered: string[] = (body.tools ?? []).map((tool: { name: string }) => tool.name);
  if (offered.length === 0) return { kind: 'text', text: 'Scripted upstream: ok.' };
  const made: Array<{ id: string; name: string; result: string | null }> = [];
  for (const message of body.messages ?? []) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (block.type === 'tool_use') made.push({ id: block.id, name: block.name, result: null });
      if (block.type === 'tool_result') {
        const entry = made.find((each) => each.id === block.tool_use_id);
        if (entry) entry.result = resultText(block.content);
      }
    }
  }
  return plan(options, offered, made);
}

/** The Responses turn: function tools and namespace tools (flattened `<namespace><name>`), calls made. */
function responsesTurn(options: ScriptedAgentUpstreamOptions, body: any): Turn {
  const offered: Array<{ flat: string; name: string; namespace?: string }> = [];
  for (const tool of body.tools ?? []) {
    if (tool.type === 'function') offered.push({ flat: tool.name, name: tool.name });
    if (tool.type === 'namespace')
      for (const inner of tool.tools ?? []) offered.push({ flat: `${tool.name}${inner.name}`, name: inner.name, namespace: tool.name });
  }
  if (offered.length === 0) return { kind: 'text', text: 'Scripted upstream: ok.' };
  const made: Array<{ id: string; name: string; result: string | null }> = [];
  for (const item of Array.isArray(body.input) ? body.input : []) {
    if (item.type === 'function_call') made.push({ id: item.call_id, name: `${item.namespace ?? ''}${item.name}`, result: null });
    if (item.type === 'function_call_output') {
      const entry = made.find((each) => each.id === item.call_id);
      if (entry) entry.result = resultText(item.output);
    }
  }
  const turn = plan(
    options,
    offered.map((tool) => tool.flat),
    made,
  );
  if (turn.kind === 'text') return turn;
  const tool = offered.find((each) => each.flat === turn.name)!;
  return { ...turn, name: tool.name, ...(tool.namespace ? { namespace: tool.namespace } : {}) };
}

function anthropicMessage(model: string, turn: Turn) {
  const content =
    turn.kind === 'text' ? [{ type: 'text', text: turn.text }] : [{ type: 'tool_use', id: turn.id, name: turn.name, input: turn.input }];
  return {
    id: nextId('msg_scripted'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: turn.kind === 'text' ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function anthropicEvents(model: string, turn: Turn): object[] {
  const message = anthropicMessage(model, turn);
  const block = turn.kind === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: turn.id, name: turn.name, input: {} };
  const delta =
    turn.kind === 'text' ? { type: 'text_delta', text: turn.text } : { type: 'input_json_delta', partial_json: JSON.stringify(turn.input) };
  return [
    { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: block },
    { type: 'content_block_delta', index: 0, delta },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: 10 } },
    { type: 'message_stop' },
  ];
}

function responsesResponse(model: string, turn: Turn, status: string) {
  const item =
    turn.kind === 'text'
      ? {
          type: 'message',
          id: nextId('msg'),
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: turn.text, annotations: [] }],
        }
      : {
          type: 'function_call',
          id: nextId('fc'),
          call_id: turn.id,
          name: turn.name,
          ...(turn.namespace ? { namespace: turn.namespace } : {}),
          arguments: JSON.stringify(turn.input),
          status: 'completed',
        };
  return {
    id: nextId('resp'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model,
    output: status === 'completed' ? [item] : [],
    usage: {
      input_tokens: 20,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 10,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 30,
    },
    item,
  };
}

function responsesEvents(model: string, turn: Turn): object[] {
  const { item, ...completed } = responsesResponse(model, turn, 'completed');
  const { item: _item, ...created } = responsesResponse(model, turn, 'in_progress');
  const events: object[] = [
    { type: 'response.created', response: created },
    { type: 'response.in_progress', response: created },
  ];
  if (item.type === 'message') {
    events.push(
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
      {
        type: 'response.content_part.added',
        output_index: 0,
        item_id: item.id,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      },
      {
        type: 'response.output_text.delta',
        output_index: 0,
        item_id: item.id,
        content_index: 0,
        delta: (item.content as Array<{ text: string }>)[0]!.text,
      },
      {
        type: 'response.output_text.done',
        output_index: 0,
        item_id: item.id,
        content_index: 0,
        text: (item.content as Array<{ text: string }>)[0]!.text,
      },
      { type: 'response.content_part.done', output_index: 0, item_id: item.id, content_index: 0, part: (item.content as object[])[0] },
    );
  } else {
    events.push(
      { type: 'response.output_item.added', output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } },
      {
        type: 'response.function_call_arguments.delta',
        output_index: 0,
        item_id: item.id,
        delta: (item as { arguments: string }).arguments,
      },
      {
        type: 'response.function_call_arguments.done',
        output_index: 0,
        item_id: item.id,
        arguments: (item as { arguments: string }).arguments,
      },
    );
  }
  events.push({ type: 'response.output_item.done', output_index: 0, item }, { type: 'response.completed', response: completed });
  return events.map((event, index) => ({ ...event, sequence_number: index }));
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function stream(response: ServerResponse, events: object[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) response.write(`event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`);
  response.end();
}

async function readJson(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/**
 * Starts the scripted upstream on a loopback port.
 *
 * @example
 * ```ts
 * const upstream = await startScriptedAgentUpstream({ apiKey: 'sk-x', calls: [{ toolSuffix: 'everything_echo', input: { message: 'hi' } }], answer: (r) => r.join(' ') });
 * ```
 */
export async function startScriptedAgentUpstream(options: ScriptedAgentUpstreamOptions): Promise<ScriptedAgentUpstream> {
  const requests: ScriptedRequest[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '/').split('?')[0]!;
      const authorization = (request.headers['x-api-key'] as string | undefined) ?? request.headers.authorization?.replace(/^Bearer /, '');
      const body = request.method === 'POST' ? await readJson(request) : {};
      requests.push({ path, body, authorization });
      if (authorization !== options.apiKey)
        return send(response, 401, { type: 'error', error: { type: 'authentication_error', message: 'bad provider key' } });
      if (path === '/v1/messages/count_tokens') return send(response, 200, { input_tokens: 42 });
      if (path === '/v1/messages') {
        const turn = anthropicTurn(options, body);
        return body.stream ? stream(response, anthropicEvents(body.model, turn)) : send(response, 200, anthropicMessage(body.model, turn));
      }
      if (path === '/v1/responses') {
        const turn = responsesTurn(options, body);
        if (body.stream) return stream(response, responsesEvents(body.model, turn));
        const { item: _item, ...completed } = responsesResponse(body.model, turn, 'completed');
        return send(response, 200, completed);
      }
      send(response, 404, { error: { message: `No route ${path}`, type: 'invalid_request_error' } });
    })().catch((error: unknown) => send(response, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
