/**
 * Native-tool permission checks, driven exactly as the agents drive them:
 * `preloop hook` spawned as Claude Code and Codex spawn a command hook (the
 * PreToolUse JSON on stdin, the configuration in the environment; exit code
 * and stdout read back), and the same JSON POSTed as Claude Code's HTTP hook
 * posts it, against a real server with the approvals engine.
 */

import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { approvals } from '@preloop/approvals';
import type { PolicyDocumentInput } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');
const bin = path.join(repo, 'packages/core/bin/preloop.mjs');
/**
 * `preloop hook` as the package ships it (`dist/cli/hook-main.js`, which
 * `bin/preloop.mjs` runs for `preloop hook`): bundled once, because
 * transpiling the sources on every spawn is slow on a busy machine. One test
 * goes through `bin/preloop.mjs` itself.
 */
const shipped = path.join(repo, 'node_modules/.cache/preloop-hook-test/hook-main.mjs');
const sqlite = testDialects().find((dialect) => dialect.name === 'sqlite')!;

const policy: PolicyDocumentInput = {
  version: 1,
  defaults: { tools: 'deny', workflow: 'owners' },
  workflows: { owners: { approvers: { roles: ['owner'] }, timeoutSeconds: 120 } },
  rules: [
    { name: 'reads', tool: 'native.Read', action: 'allow' },
    { name: 'no-web', tool: 'native.WebFetch', action: 'deny', reason: 'No web access from agents.' },
    {
      name: 'rm-needs-approval',
      tool: 'native.Bash',
      condition: 'has(args.command) && args.command.matches("rm -rf")',
      action: 'require_approval',
      reason: 'Recursive delete',
    },
    { name: 'shell', tool: 'native.Bash', condition: 'has(args.command) && !args.command.matches("rm -rf")', action: 'allow' },
  ],
};

/** The PreToolUse JSON Claude Code writes (observed shape, see the agent-hooks reference). */
const preToolUse = (tool: string, input: Record<string, unknown>, session = 'claude-session-1') => ({
  session_id: session,
  transcript_path: '/home/dev/.claude/projects/x/s.jsonl',
  cwd: '/work/project',
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: tool,
  tool_input: input,
  tool_use_id: `toolu_${Math.random().toString(36).slice(2)}`,
});

interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `preloop hook` as an agent runs a command hook: JSON on stdin, configuration in the environment. */
function hook(input: unknown, env: Record<string, string>, entry = shipped): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, 'hook'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(typeof input === 'string' ? input : JSON.stringify(input));
  });
}

const decision = (run: HookRun) =>
  JSON.parse(run.stdout).hookSpecificOutput as { hookEventName: string; permissionDecision: string; permissionDecisionReason: string };

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('native-tool permission checks (preloop hook and the HTTP hook)', () => {
  let test: TestPreloop;
  let server: RunningServer;
  let liar: RunningServer;
  let agentKey: string;
  let agentId: string;
  let ownerKey: string;
  let env: Record<string, string>;

  const api = (method: string, route: string, body?: unknown, key = ownerKey) =>
    fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  /** Claude Code's HTTP hook: the same JSON POSTed with content-type json and the bearer header from `allowedEnvVars`. */
  const httpHook = (input: unknown, query = '', key = agentKey) =>
    fetch(`${server.url}/api/v1/agents/permission-check${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'axios/1.15.2', authorization: `Bearer ${key}` },
      body: JSON.stringify(input),
    });

  const pendingFor = async (command: string): Promise<string> => {
    for (;;) {
      const page = await (await api('GET', '/approvals?status=pending&tool=native.Bash')).json();
      const found =
        page.items.find((item: { args?: { command?: string } }) => item.args?.command === command) ??
        (page.items.length === 1 ? page.items[0] : undefined);
      if (found) return found.id as string;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    await build({
      entryPoints: [path.join(repo, 'packages/core/src/cli/hook-main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: shipped,
      logLevel: 'warning',
    });
    test = await createTestPreloop(sqlite, { policy, plugins: [approvals({ pollIntervalMs: 100 })] });
    const { preloop } = test;
    const owner = await preloop.identity.users.create(preloop.accountId, { email: 'owner@example.com', name: 'Owner', role: 'owner' });
    ownerKey = (
      await preloop.identity.apiKeys.create(preloop.accountId, { name: 'owner', scopes: ['admin:read', 'admin:write'], userId: owner.id })
    ).key;
    const agent = await preloop.identity.agents.enroll(preloop.accountId, { name: 'coder', kind: 'claude_code' });
    agentId = agent.id;
    agentKey = (await preloop.identity.apiKeys.create(preloop.accountId, { name: 'coder key', agentId: agent.id, scopes: ['mcp'] })).key;
    server = await serve({ port: 0, handler: (request) => preloop.api(request) });
    // A server that answers 200 with something that is not a decision.
    liar = await serve({ port: 0, handler: () => Response.json({ ok: true }) });
    env = { PRELOOP_URL: server.url, PRELOOP_API_KEY: agentKey };
  });
  afterAll(async () => {
    await liar?.close();
    await server?.close();
    await test?.cleanup();
  });

  it('the HTTP hook: 200 with the decision for allow and deny, 401 for a bad key, 400 naming a bad field', async () => {
    const allowed = await httpHook(preToolUse('Read', { file_path: '/work/project/README.md' }));
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: 'allowed by policy' },
    });
    const denied = await httpHook(preToolUse('WebFetch', { url: 'https://example.com' }));
    expect(denied.status).toBe(200);
    expect((await denied.json()).hookSpecificOutput).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: 'Denied by policy: No web access from agents.',
    });
    // A tool no rule names falls to `defaults.tools: deny`.
    expect((await (await httpHook(preToolUse('Write', { file_path: 'x' }))).json()).hookSpecificOutput.permissionDecision).toBe('deny');
    expect((await httpHook(preToolUse('Read', {}), '', 'plk_not_a_real_key')).status).toBe(401);
    const bad = await httpHook({ ...preToolUse('Read', {}), hook_event_name: 'PostToolUse' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('hook_event_name');
  });

  it('preloop hook (through bin/preloop.mjs too): allow, deny by rule and CEL over args, each exit 0 with the decision JSON on stdout', async () => {
    const [read, web, ls] = await Promise.all([
      hook(preToolUse('Read', { file_path: 'README.md' }), env, bin),
      hook(preToolUse('WebFetch', { url: 'https://example.com' }), env),
      hook(preToolUse('Bash', { command: 'ls -la' }), env),
    ]);
    expect(read.code).toBe(0);
    expect(decision(read)).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'allow',
      permissionDecisionReason: 'allowed by policy',
    });
    expect(web.code).toBe(0);
    expect(decision(web)).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: 'Denied by policy: No web access from agents.',
    });
    expect(decision(ls).permissionDecision).toBe('allow');
  });

  it('Gemini CLI’s BeforeTool: the same fields; allow is {} with exit 0, deny is exit 2 with the reason on stderr', async () => {
    const gemini = (tool: string, input: Record<string, unknown>) => ({
      ...preToolUse(tool, input, 'gemini-session'),
      hook_event_name: 'BeforeTool',
      timestamp: new Date().toISOString(),
    });
    const [read, web] = await Promise.all([
      hook(gemini('Read', { file_path: 'a' }), env),
      hook(gemini('WebFetch', { url: 'https://example.com' }), env),
    ]);
    expect(read).toMatchObject({ code: 0, stdout: '{}\n' });
    expect(web).toMatchObject({ code: 2, stdout: '' });
    expect(web.stderr).toContain('Denied by policy: No web access from agents.');
  });

  it('an approval given while the hook waits lets that one call run; the same call again needs a new approval', async () => {
    const input = preToolUse('Bash', { command: 'rm -rf build' });
    const running = hook(input, { ...env, PRELOOP_HOOK_WAIT: '20' });
    const id = await pendingFor('rm -rf build');
    expect((await api('POST', `/approvals/${id}/decide`, { decision: 'approve' })).status).toBe(200);
    const run = await running;
    expect(run.code).toBe(0);
    expect(decision(run)).toMatchObject({ permissionDecision: 'allow', permissionDecisionReason: `approved (request ${id})` });
    const again = await (await httpHook(input, '?wait=0')).json();
    expect(again.hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
    expect(again.hookSpecificOutput.permissionDecisionReason).toContain(`approval ${id} was already used`);
  });

  it('when the wait bound passes: deny naming the pending request (or defer / ask as configured), and a retry after approval runs once', async () => {
    const input = preToolUse('Bash', { command: 'rm -rf dist' });
    const run = await hook(input, { ...env, PRELOOP_HOOK_WAIT: '1' });
    expect(run.code).toBe(0);
    const answer = decision(run);
    expect(answer.permissionDecision).toBe('deny');
    const id = answer.permissionDecisionReason.match(/approval pending: (apr_\S+)/)?.[1];
    expect(id).toBeTruthy();
    expect(answer.permissionDecisionReason).toContain('retry the same call once it is approved');
    // The same call joins the same request; the answer on pending is configurable.
    expect((await (await httpHook(input, '?wait=0&pending=defer')).json()).hookSpecificOutput).toMatchObject({
      permissionDecision: 'defer',
    });
    expect((await (await httpHook(input, '?wait=0&pending=ask')).json()).hookSpecificOutput.permissionDecisionReason).toContain(
      `approval pending: ${id}`,
    );
    expect((await api('POST', `/approvals/${id}/decide`, { decision: 'approve' })).status).toBe(200);
    expect((await (await httpHook(input, '?wait=0')).json()).hookSpecificOutput).toMatchObject({
      permissionDecision: 'allow',
      permissionDecisionReason: `approved (request ${id})`,
    });
  });

  it('fails closed: unreachable server, malformed answer, bad configuration and bad input all deny with exit 0', async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const input = preToolUse('Read', { file_path: 'README.md' });
    const [unreachable, malformed, notJson, noKey] = await Promise.all([
      hook(input, { ...env, PRELOOP_URL: nowhere }),
      hook(input, { ...env, PRELOOP_URL: liar.url }),
      hook('not json', env),
      hook(input, { PRELOOP_URL: server.url }),
    ]);
    for (const run of [unreachable, malformed, notJson, noKey]) {
      expect(run.code).toBe(0);
      expect(decision(run).permissionDecision).toBe('deny');
    }
    expect(decision(unreachable).permissionDecisionReason).toContain('could not be reached');
    expect(decision(malformed).permissionDecisionReason).toContain('not a permission decision');
    expect(decision(noKey).permissionDecisionReason).toContain('PRELOOP_API_KEY is not set');
  });

  it('PRELOOP_HOOK_FAIL_OPEN=transport lets only a transport error through (no decision: the agent’s own rules decide)', async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const open = { ...env, PRELOOP_HOOK_FAIL_OPEN: 'transport' };
    const [unreachable, policyDeny, malformed, badKey] = await Promise.all([
      hook(preToolUse('Read', {}), { ...open, PRELOOP_URL: nowhere }),
      hook(preToolUse('WebFetch', { url: 'https://example.com' }), open),
      hook(preToolUse('Read', {}), { ...open, PRELOOP_URL: liar.url }),
      hook(preToolUse('Read', {}), { ...open, PRELOOP_API_KEY: 'plk_not_a_real_key' }),
    ]);
    expect(unreachable).toMatchObject({ code: 0, stdout: '' });
    expect(unreachable.stderr).toContain('failing open');
    expect(decision(policyDeny).permissionDecision).toBe('deny');
    expect(decision(malformed).permissionDecision).toBe('deny');
    expect(decision(badKey)).toMatchObject({ permissionDecision: 'deny' });
    expect(decision(badKey).permissionDecisionReason).toMatch(/HTTP 401: .+/);
  });

  it('audits each check once, attributed to the agent and the runtime session of its session_id; the kill switch denies', async () => {
    const { preloop } = test;
    const session = 'codex-session-audit';
    await httpHook(preToolUse('Read', { file_path: 'a.txt' }, session));
    await httpHook(preToolUse('WebFetch', { url: 'https://example.com' }, session));
    const sessions = await preloop.identity.runtimeSessions.list(preloop.accountId, { externalId: session });
    expect(sessions.items).toHaveLength(1);
    expect(sessions.items[0]).toMatchObject({ agentId, source: 'hook', externalId: session, state: 'active' });
    const runtimeSessionId = sessions.items[0]!.id;
    const records = (await preloop.audit.query({ accountId: preloop.accountId, action: 'native.tool.check', runtimeSessionId })).items;
    expect(records.map((record) => [record.targetId, record.outcome]).sort()).toEqual([
      ['native.Read', 'allowed'],
      ['native.WebFetch', 'denied'],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({ actorType: 'agent', runtimeSessionId });
      expect(record.principal).toMatchObject({ agentId });
      expect(record.data).toMatchObject({ agentSessionId: session });
    }

    expect((await api('POST', '/kill-switch/activate', { scopes: ['tools'], reason: 'incident' })).status).toBeLessThan(300);
    try {
      const stopped = await (await httpHook(preToolUse('Read', {}, session))).json();
      expect(stopped.hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
      expect(stopped.hookSpecificOutput.permissionDecisionReason).toContain('incident');
    } finally {
      await api('POST', '/kill-switch/deactivate', {});
    }
  });
});
