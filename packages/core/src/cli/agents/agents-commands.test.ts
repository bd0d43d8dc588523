import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '@preloop/gateway';
import { createNodeGateway } from '@preloop/gateway/node';
import { createMcpHandler, mcp, type McpHandler } from '@preloop/mcp';
import { createPreloop } from '../../kernel/create-preloop.js';
import type { Preloop } from '../../kernel/preloop.js';
import { createLogger } from '../../logger.js';
import { serve, type RunningServer } from '../../node/serve.js';
import { runCli } from '../main.js';

const root = mkdtempSync(path.join(tmpdir(), 'preloop-agents-cli-'));
const repo = path.resolve(import.meta.dirname, '../../../../..');
let preloop: Preloop;
let server: RunningServer;
let mcpHandler: McpHandler;
let adminKey: string;

beforeAll(async () => {
  preloop = await createPreloop({
    database: ':memory:',
    secretKey: 'k'.repeat(64),
    logger: createLogger({ level: 'silent' }),
    plugins: [mcp(), gateway()],
  });
  mcpHandler = createMcpHandler(preloop);
  server = await serve({
    handler: (request) => (new URL(request.url).pathname.startsWith('/mcp') ? mcpHandler(request) : preloop.api(request)),
    before: createNodeGateway(preloop),
    port: 0,
  });
  const user = await preloop.identity.users.create(preloop.accountId, {
    email: 'owner@example.com',
    name: 'Owner',
    role: 'owner',
    password: 'correct horse battery staple',
  });
  adminKey = (
    await preloop.identity.apiKeys.create(preloop.accountId, { name: 'cli', scopes: ['admin:write', 'mcp', 'gateway'], userId: user.id })
  ).key;
  process.env.PRELOOP_TEST_ADMIN_KEY = adminKey;
});

afterAll(async () => {
  delete process.env.PRELOOP_TEST_ADMIN_KEY;
  await server?.close();
  await mcpHandler?.close();
  await preloop?.close();
  rmSync(root, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A home folder with real-format configuration files of each agent (comments in the TOML, other servers in the JSON). */
function newHome(name: string): string {
  const home = path.join(root, name);
  const write = (file: string, text: string, mode = 0o644) => {
    mkdirSync(path.dirname(path.join(home, file)), { recursive: true });
    writeFileSync(path.join(home, file), text);
    chmodSync(path.join(home, file), mode);
  };
  write(
    '.claude/settings.json',
    '{\n  "permissions": {\n    "allow": ["Bash(npm test)"]\n  },\n  "env": {\n    "DISABLE_TELEMETRY": "1"\n  },\n  "model": "sonnet"\n}\n',
  );
  write(
    '.claude.json',
    '{"numStartups":3,"mcpServers":{"github":{"type":"http","url":"https://api.githubcopilot.com/mcp/"}},"projects":{}}',
    0o600,
  );
  write(
    '.codex/config.toml',
    '# My Codex settings\nmodel = "gpt-5-codex"\napproval_policy = "on-request"   # ask before running commands\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n\n[profiles.deep]\nmodel_provider = "openai"\nmodel_reasoning_effort = "high"\n',
  );
  write(
    '.gemini/settings.json',
    '{\n    "theme": "Dracula",\n    "security": { "auth": { "selectedType": "gemini-api-key" } },\n    "mcpServers": {}\n}',
  );
  // Gemini CLI's own environment file, without a final newline.
  write('.gemini/.env', '# my Gemini CLI environment\nGEMINI_MODEL=gemini-2.5-pro', 0o600);
  // Cursor has no file yet: onboard creates it, offboard removes it.
  mkdirSync(path.join(home, '.cursor'), { recursive: true });
  return home;
}

const files = ['.claude/settings.json', '.claude.json', '.codex/config.toml', '.gemini/settings.json', '.gemini/.env', '.cursor/mcp.json'];
const snapshot = (home: string) =>
  Object.fromEntries(
    files.map((file) => [file, existsSync(path.join(home, file)) ? readFileSync(path.join(home, file)).toString('base64') : null]),
  );
const json = (home: string, file: string) => JSON.parse(readFileSync(path.join(home, file), 'utf8'));
const keyOf = (home: string, agent: string) => readFileSync(path.join(home, '.preloop', 'agents', agent, 'credential'), 'utf8').trim();

async function listTools(url: string, headers: Record<string, string>): Promise<string[]> {
  const client = new Client({ name: 'agents-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

const onboard = (home: string, agent: string, ...extra: string[]) =>
  cli('agents', 'onboard', agent, '--url', server.url, '--key-env', 'PRELOOP_TEST_ADMIN_KEY', '--home', home, ...extra);
const offboard = (home: string, agent: string, ...extra: string[]) =>
  cli('agents', 'offboard', agent, '--key-env', 'PRELOOP_TEST_ADMIN_KEY', '--home', home, ...extra);

describe('preloop agents', () => {
  it('discovers the agents installed in a home folder and their files', async () => {
    const home = newHome('discover');
    rmSync(path.join(home, '.cursor'), { recursive: true });
    const run = await cli('agents', 'discover', '--home', home, '--format', 'json');
    expect(run.code).toBe(0);
    const found = JSON.parse(run.out) as Array<{ agent: string; installed: boolean; files: Array<{ path: string; exists: boolean }> }>;
    expect(found.map((entry) => [entry.agent, entry.installed])).toEqual([
      ['claude-code', true],
      ['codex', true],
      ['gemini-cli', true],
      ['cursor', false],
    ]);
    expect(found[1]!.files).toEqual([
      expect.objectContaining({ path: path.join(home, '.codex', 'config.toml'), exists: true }),
      expect.objectContaining({ path: path.join(home, '.codex', 'hooks.json'), exists: false }),
    ]);
    expect((await cli('agents', 'discover', '--home', home)).out).toContain('codex (Codex CLI): found, not onboarded');
  });

  it('dry runs change nothing and print a diff; onboard points each agent at the server with a working key (0600); a second onboard changes nothing; offboard restores byte for byte and revokes the key', async () => {
    const home = newHome('round-trip');
    const before = snapshot(home);

    const dry = await onboard(home, 'claude-code', '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(`+++ b/${path.join(home, '.claude', 'settings.json')}`);
    expect(dry.out).toContain(`+    "ANTHROPIC_BASE_URL": "${server.url}/anthropic"`);
    expect(snapshot(home)).toEqual(before);
    expect(existsSync(path.join(home, '.preloop'))).toBe(false);
    expect((await preloop.identity.agents.list(preloop.accountId, {})).items).toHaveLength(0);

    for (const agent of ['claude-code', 'codex', 'gemini-cli', 'cursor']) {
      const run = await onboard(home, agent);
      expect(run, agent).toMatchObject({ code: 0, err: '' });
      const key = keyOf(home, agent);
      expect(run.out).not.toContain(key);
      for (const file of ['credential', 'credential-headers.json', 'manifest.json'])
        expect(statSync(path.join(home, '.preloop', 'agents', agent, file)).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(home, '.preloop', 'agents', agent)).mode & 0o777).toBe(0o700);
    }
    const agents = (await preloop.identity.agents.list(preloop.accountId, {})).items;
    expect(agents.map((agent) => agent.kind).sort()).toEqual(['claude_code', 'codex', 'cursor', 'gemini_cli']);

    // Claude Code: settings keep their keys in order; the gateway and the MCP server read the stored key through helpers.
    const settings = json(home, '.claude/settings.json');
    expect(Object.keys(settings)).toEqual(['permissions', 'env', 'model', 'apiKeyHelper']);
    expect(settings.env).toEqual({ DISABLE_TELEMETRY: '1', ANTHROPIC_BASE_URL: `${server.url}/anthropic` });
    const claudeKey = execFileSync('sh', ['-c', settings.apiKeyHelper], { encoding: 'utf8' }).trim();
    expect(claudeKey).toBe(keyOf(home, 'claude-code'));
    const claudeServer = json(home, '.claude.json').mcpServers.preloop;
    expect(json(home, '.claude.json').mcpServers.github).toBeDefined();
    const claudeHeaders = JSON.parse(execFileSync('sh', ['-c', claudeServer.headersHelper], { encoding: 'utf8' })) as Record<
      string,
      string
    >;
    expect(await listTools(claudeServer.url, claudeHeaders)).toEqual(expect.any(Array));
    // The real Claude Code reads the user-scope server (asynchronously: it connects to this process's server).
    const claudeEnv = { PATH: process.env.PATH, HOME: home, DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
    const shown = await promisify(execFile)(path.join(repo, 'node_modules/.bin/claude'), ['mcp', 'get', 'preloop'], {
      env: claudeEnv,
      cwd: home,
      timeout: 30_000,
    });
    expect(shown.stdout).toContain(`URL: ${server.url}/mcp`);
    expect(shown.stdout).toContain('Scope: User config');
    expect(shown.stdout).toContain('Connected');
    const anthropicModels = await fetch(`${settings.env.ANTHROPIC_BASE_URL}/v1/models`, {
      headers: { 'x-api-key': claudeKey, 'anthropic-version': '2023-06-01' },
    });
    expect(anthropicModels.status).toBe(200);

    // Codex: the real binary reads the edited config.toml (comments kept) and finds Preloop's server.
    const toml = readFileSync(path.join(home, '.codex', 'config.toml'), 'utf8');
    expect(toml).toContain('approval_policy = "on-request"   # ask before running commands');
    expect(toml.startsWith('# >>> preloop agents onboard')).toBe(true);
    const codexEnv = { PATH: process.env.PATH, HOME: home, CODEX_HOME: path.join(home, '.codex') };
    const codexServer = JSON.parse(
      execFileSync(path.join(repo, 'node_modules/.bin/codex'), ['mcp', 'get', 'preloop', '--json'], {
        env: codexEnv,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    expect(codexServer.transport).toMatchObject({ type: 'streamable_http', url: `${server.url}/mcp` });
    const codexKey = keyOf(home, 'codex');
    const codexHelper = toml.match(/^http_headers_helper = (".*")$/m)![1]!;
    expect(
      await listTools(`${server.url}/mcp`, JSON.parse(execFileSync('sh', ['-c', JSON.parse(codexHelper)], { encoding: 'utf8' }))),
    ).toEqual(expect.any(Array));
    const baseURL = JSON.parse(toml.match(/^base_url = (".*")$/m)![1]!);
    expect(
      execFileSync('cat', JSON.parse(toml.match(/\[model_providers\.preloop\.auth\]\ncommand = "cat"\nargs = (\[.*\])$/m)![1]!), {
        encoding: 'utf8',
      }).trim(),
    ).toBe(codexKey);
    const models = await new OpenAI({ apiKey: codexKey, baseURL, maxRetries: 0 }).models.list();
    expect(models.data).toEqual(expect.any(Array));

    // Gemini CLI and Cursor: the MCP server, its header naming the key's environment variable (the key stays out of the file).
    const gemini = json(home, '.gemini/settings.json');
    expect(Object.keys(gemini)).toEqual(['theme', 'security', 'mcpServers']);
    expect(gemini.security).toEqual({ auth: { selectedType: 'gemini-api-key' } });
    expect(gemini.mcpServers.preloop).toEqual({ httpUrl: `${server.url}/mcp`, headers: { Authorization: 'Bearer ${GEMINI_API_KEY}' } });
    const geminiKey = keyOf(home, 'gemini-cli');
    expect(await listTools(gemini.mcpServers.preloop.httpUrl, { Authorization: `Bearer ${geminiKey}` })).toEqual(expect.any(Array));
    // Gemini CLI's model calls: the gateway's Gemini ingress as GOOGLE_GEMINI_BASE_URL in ~/.gemini/.env, after the user's lines.
    const env = readFileSync(path.join(home, '.gemini', '.env'), 'utf8');
    expect(env).toMatch(/^# my Gemini CLI environment\nGEMINI_MODEL=gemini-2\.5-pro\n\n# >>> preloop agents onboard/);
    expect(env).not.toContain(geminiKey);
    const geminiBase = env.match(/^GOOGLE_GEMINI_BASE_URL=(.*)$/m)![1]!;
    expect(geminiBase).toBe(`${server.url}/gemini`);
    const geminiModels = await fetch(`${geminiBase}/v1beta/models`, { headers: { 'x-goog-api-key': geminiKey } });
    expect(geminiModels.status).toBe(200);
    const cursorServer = json(home, '.cursor/mcp.json').mcpServers.preloop;
    expect(cursorServer.headers.Authorization).toBe('Bearer ${env:PRELOOP_API_KEY}');
    expect(await listTools(cursorServer.url, { Authorization: `Bearer ${keyOf(home, 'cursor')}` })).toEqual(expect.any(Array));

    // Idempotent: a second onboard changes nothing and enrolls nothing.
    const onboarded = snapshot(home);
    const again = await onboard(home, 'codex');
    expect(again.out).toContain('is already onboarded');
    expect(snapshot(home)).toEqual(onboarded);
    expect((await preloop.identity.agents.list(preloop.accountId, {})).items).toHaveLength(4);

    // Offboard: a dry run first, then byte-identical files, the original modes, and the keys refused.
    expect((await offboard(home, 'codex', '--dry-run')).out).toContain('-[mcp_servers.preloop]');
    expect(snapshot(home)).toEqual(onboarded);
    for (const agent of ['claude-code', 'codex', 'gemini-cli', 'cursor'])
      expect(await offboard(home, agent), agent).toMatchObject({ code: 0, err: '' });
    // Claude Code rewrote ~/.claude.json when it ran (its start-up state): that file is merged, the others are byte for byte.
    expect(snapshot(home)).toEqual({ ...before, '.claude.json': expect.any(String) });
    const state = json(home, '.claude.json');
    expect(state).toMatchObject({
      numStartups: 3,
      mcpServers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' } },
      projects: {},
    });
    expect(state.mcpServers.preloop).toBeUndefined();
    expect(statSync(path.join(home, '.claude.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(home, '.preloop', 'agents', 'codex'))).toBe(false);
    await expect(new OpenAI({ apiKey: codexKey, baseURL, maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
    await expect(listTools(`${server.url}/mcp`, { Authorization: `Bearer ${claudeKey}` })).rejects.toThrow(/revoked/);
    const refused = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${claudeKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(refused.status).toBe(401);
    expect((await preloop.identity.agents.list(preloop.accountId, { state: 'decommissioned' })).items).toHaveLength(4);
    expect((await offboard(home, 'codex')).out).toContain('is not onboarded');
    expect((await fetch(`${geminiBase}/v1beta/models`, { headers: { 'x-goog-api-key': geminiKey } })).status).toBe(401);
  });

  it('Gemini CLI on a bare home: onboard creates settings.json (API-key auth) and .env, offboard removes both; a .env that already sets GOOGLE_GEMINI_BASE_URL is refused', async () => {
    const home = path.join(root, 'bare-gemini');
    mkdirSync(path.join(home, '.gemini'), { recursive: true });
    expect(await onboard(home, 'gemini-cli')).toMatchObject({ code: 0, err: '' });
    expect(json(home, '.gemini/settings.json').security).toEqual({ auth: { selectedType: 'gemini-api-key' } });
    expect(readFileSync(path.join(home, '.gemini', '.env'), 'utf8')).toContain(`\nGOOGLE_GEMINI_BASE_URL=${server.url}/gemini\n`);
    expect((await offboard(home, 'gemini-cli')).code).toBe(0);
    expect(existsSync(path.join(home, '.gemini', 'settings.json'))).toBe(false);
    expect(existsSync(path.join(home, '.gemini', '.env'))).toBe(false);

    writeFileSync(path.join(home, '.gemini', '.env'), 'export GOOGLE_GEMINI_BASE_URL=https://proxy.example.com\n');
    expect(await onboard(home, 'gemini-cli')).toMatchObject({
      code: 1,
      err: expect.stringContaining('already has `export GOOGLE_GEMINI_BASE_URL=https://proxy.example.com`'),
    });
    expect(existsSync(path.join(home, '.gemini', 'settings.json'))).toBe(false);
    expect(existsSync(path.join(home, '.preloop', 'agents', 'gemini-cli'))).toBe(false);
  });

  it("offboard after the user edited a file: only Preloop's entries go, the user's changes stay", async () => {
    const home = newHome('edited');
    expect((await onboard(home, 'claude-code')).code).toBe(0);
    expect((await onboard(home, 'codex')).code).toBe(0);
    const settingsFile = path.join(home, '.claude', 'settings.json');
    const settings = json(home, '.claude/settings.json');
    writeFileSync(settingsFile, JSON.stringify({ ...settings, env: { ...settings.env, EXTRA: 'yes' }, theme: 'dark' }, null, 2));
    const tomlFile = path.join(home, '.codex', 'config.toml');
    writeFileSync(tomlFile, `${readFileSync(tomlFile, 'utf8')}\n[profiles.fast]\nmodel = "gpt-5-mini"\n`);

    const run = await offboard(home, 'claude-code');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("changed since onboard: only Preloop's entries are taken out");
    expect(json(home, '.claude/settings.json')).toEqual({
      permissions: { allow: ['Bash(npm test)'] },
      env: { DISABLE_TELEMETRY: '1', EXTRA: 'yes' },
      model: 'sonnet',
      theme: 'dark',
    });
    expect(json(home, '.claude.json')).toEqual({
      numStartups: 3,
      mcpServers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' } },
      projects: {},
    });

    // Gemini CLI: the user took Preloop's server out and added one; onboard puts it back, offboard then merges.
    expect((await onboard(home, 'gemini-cli')).code).toBe(0);
    const gemini = json(home, '.gemini/settings.json');
    writeFileSync(
      path.join(home, '.gemini', 'settings.json'),
      JSON.stringify({ ...gemini, mcpServers: { mine: { httpUrl: 'https://example.com/mcp' } } }, null, 4),
    );
    const again = await onboard(home, 'gemini-cli');
    expect(again.out).toContain('settings.json: changed');
    expect(Object.keys(json(home, '.gemini/settings.json').mcpServers)).toEqual(['mine', 'preloop']);
    expect((await offboard(home, 'gemini-cli')).out).toContain('changed since onboard');
    expect(json(home, '.gemini/settings.json')).toEqual({
      theme: 'Dracula',
      security: { auth: { selectedType: 'gemini-api-key' } },
      mcpServers: { mine: { httpUrl: 'https://example.com/mcp' } },
    });

    expect((await offboard(home, 'codex')).code).toBe(0);
    const toml = readFileSync(tomlFile, 'utf8');
    expect(toml).not.toContain('preloop');
    expect(toml).toBe(
      '# My Codex settings\nmodel = "gpt-5-codex"\napproval_policy = "on-request"   # ask before running commands\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n\n[profiles.deep]\nmodel_provider = "openai"\nmodel_reasoning_effort = "high"\n\n[profiles.fast]\nmodel = "gpt-5-mini"\n',
    );
  });

  it("--permission-hook adds the PreToolUse / BeforeTool hook after the user's own, asking the server with the stored key; offboard takes it out", async () => {
    const home = newHome('hooks');
    const userHook = { matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/audit-bash' }] };
    writeFileSync(path.join(home, '.claude', 'settings.json'), JSON.stringify({ hooks: { PreToolUse: [userHook] } }, null, 2));
    const before = snapshot(home);
    const hookCommand = `${process.execPath} ${path.join(repo, 'packages/core/bin/preloop.mjs')} hook`;
    for (const agent of ['claude-code', 'codex', 'gemini-cli'])
      expect(await onboard(home, agent, '--permission-hook', '--hook-command', hookCommand), agent).toMatchObject({ code: 0, err: '' });
    expect(await onboard(home, 'cursor', '--permission-hook')).toMatchObject({
      code: 1,
      err: expect.stringContaining('without --permission-hook'),
    });

    const hooks = json(home, '.claude/settings.json').hooks.PreToolUse;
    expect(hooks).toEqual([
      userHook,
      {
        matcher: expect.stringContaining('Bash|Edit'),
        hooks: [{ type: 'command', command: expect.stringMatching(/^sh -c /), timeout: 35, onFailure: 'block' }],
      },
    ]);
    expect(json(home, '.codex/hooks.json').hooks.PreToolUse).toEqual([
      { hooks: [expect.objectContaining({ type: 'command', onFailure: 'block' })] },
    ]);
    expect(json(home, '.gemini/settings.json').hooks.BeforeTool).toEqual([
      expect.objectContaining({ hooks: [expect.objectContaining({ type: 'command', timeout: 30_000 })] }),
    ]);
    // The hook as Claude Code runs it: the PreToolUse JSON on stdin, the server's decision on stdout.
    const child = spawn('sh', ['-c', hooks[1].hooks[0].command], { env: { PATH: process.env.PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify({ hook_event_name: 'PreToolUse', session_id: 's1', tool_name: 'Bash', tool_input: { command: 'ls' } }));
    const output = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', () => resolve({ stdout, stderr }));
    });
    // The server's policy answered (this server has no approval engine, so a call needing approval is denied), not a failure of the hook.
    expect(JSON.parse(output.stdout).hookSpecificOutput).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: expect.stringContaining('native.Bash requires approval'),
    });

    // Again without the flag: the hook stays, nothing changes.
    const onboarded = snapshot(home);
    expect((await onboard(home, 'claude-code')).out).toContain('already onboarded');
    expect(snapshot(home)).toEqual(onboarded);
    // Another hook command: added too, and offboard removes both.
    expect((await onboard(home, 'gemini-cli', '--permission-hook', '--hook-command', 'preloop-hook-v2')).code).toBe(0);
    const gemini = json(home, '.gemini/settings.json');
    expect(gemini.hooks.BeforeTool).toHaveLength(2);
    // The user edits the file meanwhile: offboard merges, taking out both hooks and the array onboard created.
    writeFileSync(path.join(home, '.gemini', 'settings.json'), JSON.stringify({ ...gemini, ui: { hideTips: true } }, null, 4));
    for (const agent of ['claude-code', 'codex', 'gemini-cli']) expect((await offboard(home, agent)).code).toBe(0);
    expect(snapshot(home)).toEqual({ ...before, '.gemini/settings.json': expect.any(String) });
    expect(json(home, '.gemini/settings.json')).toEqual({
      theme: 'Dracula',
      security: { auth: { selectedType: 'gemini-api-key' } },
      mcpServers: {},
      ui: { hideTips: true },
    });
    expect(existsSync(path.join(home, '.codex', 'hooks.json'))).toBe(false);
  });

  it('refuses, changing nothing: a broken JSON file, a TOML that already chose a provider, an unknown agent, no admin key, another server', async () => {
    const home = newHome('refusals');
    writeFileSync(path.join(home, '.gemini', 'settings.json'), '{ "theme": ');
    const before = snapshot(home);
    expect(await onboard(home, 'gemini-cli')).toMatchObject({
      code: 1,
      err: expect.stringContaining(`${path.join(home, '.gemini', 'settings.json')} is not valid JSON`),
    });
    writeFileSync(path.join(home, '.codex', 'config.toml'), 'model_provider = "azure"\n');
    expect(await onboard(home, 'codex')).toMatchObject({ code: 1, err: expect.stringContaining('already has `model_provider = "azure"`') });
    expect(await onboard(home, 'aider')).toMatchObject({
      code: 1,
      err: expect.stringContaining('Unknown agent "aider"; one of claude-code, codex, gemini-cli, cursor'),
    });
    expect(await cli('agents', 'onboard', 'cursor', '--url', server.url, '--key-env', 'PRELOOP_TEST_NO_KEY', '--home', home)).toMatchObject(
      { code: 1, err: expect.stringContaining('in the environment variable PRELOOP_TEST_NO_KEY') },
    );
    expect(snapshot(home)).toEqual({ ...before, '.codex/config.toml': Buffer.from('model_provider = "azure"\n').toString('base64') });
    expect(existsSync(path.join(home, '.preloop'))).toBe(false);
    expect((await onboard(home, 'cursor')).code).toBe(0);
    expect(await cli('agents', 'onboard', 'cursor', '--url', 'http://127.0.0.1:1', '--home', home)).toMatchObject({
      code: 1,
      err: expect.stringContaining(`cursor is onboarded to ${server.url}`),
    });

    // A server that cannot be reached: offboard stops before touching the files; --local-only restores them and says the key lives on.
    const onboarded = snapshot(home);
    expect(await offboard(home, 'cursor', '--url', 'http://127.0.0.1:1')).toMatchObject({
      code: 1,
      err: expect.stringContaining('cannot be reached'),
    });
    expect(snapshot(home)).toEqual(onboarded);
    const key = keyOf(home, 'cursor');
    const local = await offboard(home, 'cursor', '--local-only');
    expect(local).toMatchObject({ code: 0, out: expect.stringContaining('are NOT revoked') });
    expect(existsSync(path.join(home, '.cursor', 'mcp.json'))).toBe(false);
    expect(await listTools(`${server.url}/mcp`, { Authorization: `Bearer ${key}` })).toEqual(expect.any(Array));
  });
});
