/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance)
 * against Preloop's MCP endpoint, which fronts an upstream SDK server that
 * implements the scenarios' tools, resources and prompts. The suite's client
 * cannot send headers, so this test stands in for a configured MCP client and
 * adds the agent's Bearer key to each request before the endpoint sees it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, type RunningServer } from '@preloop/core/node';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConformanceServer } from '../packages/mcp/src/test-support/conformance-server.js';
import { serveHttpUpstream, type HttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createMcpFixture, type McpFixture } from '../packages/mcp/src/test-support/mcp-fixture.js';

const repository = fileURLToPath(new URL('..', import.meta.url));
/** Supplies Node 22's `fs.globSync` to the suite on Node 20 (a no-op on Node 22+); carried in the repository. */
const register = fileURLToPath(new URL('./support/node20-glob/register.mjs', import.meta.url));

function runConformance(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['conformance', 'server', '--url', url, '--suite', 'all'], {
      cwd: repository,
      env: { ...process.env, NODE_OPTIONS: `--import ${register}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('official MCP conformance suite', () => {
  let upstream: HttpUpstream;
  let fixture: McpFixture;
  let front: RunningServer;

  beforeAll(async () => {
    upstream = await serveHttpUpstream(createConformanceServer);
    fixture = await createMcpFixture(testDialects()[0]!, { policy: { version: 1, defaults: { tools: 'allow' } } });
    const created = await (
      await fixture.api('POST', '/mcp-servers', { name: 'conformance', transport: 'http', url: upstream.url, namespaced: false })
    ).json();
    const scan = await (await fixture.api('POST', `/mcp-servers/${created.id}/scan`)).json();
    expect(scan.tools.every((tool: { status: string }) => tool.status === 'pinned')).toBe(true);
    front = await serve({
      port: 0,
      handler: (request) => {
        const headers = new Headers(request.headers);
        headers.set('authorization', `Bearer ${fixture.agentKey}`);
        return fixture.handler(new Request(request, { headers }));
      },
    });
  });
  afterAll(async () => {
    await front?.close();
    await fixture?.cleanup();
    await upstream?.close();
  });

  it('passes every server scenario', async () => {
    const { code, output } = await runConformance(`${front.url}/mcp`);
    const summary = output.slice(output.indexOf('=== SUMMARY ==='));
    expect(summary, output).toMatch(/Total: \d+ passed, 0 failed/);
    expect(summary).not.toContain('✗');
    for (const scenario of [
      'server-initialize',
      'tools-call-sampling',
      'tools-call-elicitation',
      'tools-call-with-progress',
      'resources-subscribe',
      'prompts-get-with-args',
      'completion-complete',
      'dns-rebinding-protection',
      'json-schema-2020-12',
    ]) {
      expect(summary).toContain(`✓ ${scenario}:`);
    }
    expect(code).toBe(0);
  }, 120_000);
});
