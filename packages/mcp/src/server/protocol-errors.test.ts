import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttpUpstream, type HttpUpstream } from '../test-support/http-upstream.js';
import { createMcpFixture, everythingServerPath, type McpFixture } from '../test-support/mcp-fixture.js';
import { createToolServer, createToolServerState, echoTool } from '../test-support/tool-server.js';

/** POSTs a raw body to the endpoint and returns the status and the JSON-RPC message (JSON or the first SSE data line). */
async function post(fixture: McpFixture, body: string, sessionId?: string): Promise<{ status: number; message: Record<string, any> }> {
  const response = await fetch(fixture.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${fixture.agentKey}`,
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION } : {}),
    },
    body,
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('application/json')
    ? text
    : text
        .split('\n')
        .find((line) => line.startsWith('data: {'))!
        .slice(6);
  return { status: response.status, message: JSON.parse(json) };
}

describe('JSON-RPC errors of the MCP endpoint', () => {
  let fixture: McpFixture;
  let upstream: HttpUpstream;
  let sessionId: string;

  beforeAll(async () => {
    upstream = await serveHttpUpstream(() => createToolServer(createToolServerState([echoTool])));
    fixture = await createMcpFixture(testDialects()[0]!, { policy: { version: 1, defaults: { tools: 'allow' } } });
    for (const server of [
      { name: 'up', transport: 'http', url: upstream.url },
      { name: 'everything', transport: 'stdio', command: process.execPath, args: [everythingServerPath(), 'stdio'] },
    ]) {
      const created = await (await fixture.api('POST', '/mcp-servers', server)).json();
      expect((await fixture.api('POST', `/mcp-servers/${created.id}/scan`)).status).toBe(200);
    }
    const client = await fixture.connect();
    sessionId = (client.transport as { sessionId?: string }).sessionId!;
  }, 60_000);
  afterAll(async () => {
    await fixture?.cleanup();
    await upstream?.close();
  });

  it('answers arguments that are not an object with -32602 and a readable message, not -32603 and a zod dump', async () => {
    for (const raw of ['"just text"', '[1,2]', '42', 'true']) {
      const { message } = await post(
        fixture,
        `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"up.echo","arguments":${raw}}}`,
        sessionId,
      );
      expect(message).toEqual({
        jsonrpc: '2.0',
        id: 3,
        error: { code: -32602, message: 'Invalid arguments for tool up.echo: arguments must be a JSON object' },
      });
    }
    const nameless = await post(fixture, '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":7}}', sessionId);
    expect(nameless.message.error).toEqual({ code: -32602, message: 'Invalid params: tools/call needs a tool name (a string)' });
    // A valid call still works after the malformed ones.
    const fine = await post(
      fixture,
      '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"up.echo","arguments":{"message":"ok"}}}',
      sessionId,
    );
    expect(fine.message.result.content[0].text).toBe('{"message":"ok"}');
  });

  it('relays prompt and resource errors with one prefix, not "MCP error -32602: MCP error -32602:"', async () => {
    const client = await fixture.connect();
    const errors = await Promise.all([
      client.getPrompt({ name: 'no-such-prompt' }).catch((error: Error) => error.message),
      client.readResource({ uri: 'demo://nothing/here' }).catch((error: Error) => error.message),
      // An error the upstream itself raises (a required prompt argument is missing), relayed.
      client.getPrompt({ name: 'everything.args-prompt', arguments: {} }).catch((error: Error) => error.message),
    ]);
    expect(errors[0]).toBe('MCP error -32602: Unknown prompt: no-such-prompt');
    expect(errors[1]).toBe('MCP error -32002: Resource not found: demo://nothing/here');
    expect(errors[2]).toMatch(/^MCP error -32602: (?!MCP error)/);
    const raw = await post(fixture, '{"jsonrpc":"2.0","id":6,"method":"prompts/get","params":{"name":"no-such-prompt"}}', sessionId);
    expect(raw.message.error).toEqual({ code: -32602, message: 'Unknown prompt: no-such-prompt' });
  });

  it('answers a JSON value that is not a JSON-RPC message with 400 -32600 (Invalid Request), keeping -32700 for bad JSON', async () => {
    for (const body of ['{"foo":1}', '{"jsonrpc":"1.0","id":1,"method":"ping"}', '42', 'null', '"text"', '{"jsonrpc":"2.0","id":1}']) {
      for (const session of [undefined, sessionId]) {
        const { status, message } = await post(fixture, body, session);
        expect({ body, status, code: message.error?.code }).toEqual({ body, status: 400, code: -32600 });
      }
    }
    expect((await post(fixture, '{"jsonrpc":', sessionId)).message.error.code).toBe(-32700);
  });
});
