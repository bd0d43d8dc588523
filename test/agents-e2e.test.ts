/**
 * The real Claude Code and Codex CLIs (root devDependencies, run from
 * node_modules/.bin) against the reference server, set up exactly as the
 * README's "Connect an agent" section says: its configuration file (models,
 * `gateway.modelNames`, policy), its shell lines and its Codex `config.toml`,
 * with only the host and the providers' base URLs pointed at this test. A
 * scripted model upstream (Anthropic Messages and OpenAI Responses, streamed)
 * drives each agent: model calls through the gateway, a tool through `/mcp`,
 * a tool that waits for a human approval (given through the admin API), and
 * the final answer. Each agent runs in a temporary HOME / CODEX_HOME.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ReferenceServer } from '../examples/server/src/reference-server.js';
import {
  adminApi,
  bundledCli as bundle,
  everything,
  providerKey,
  repo,
  run,
  startApprover,
  startConfiguredServer,
  startTriageUpstream,
} from './support/agent-e2e.js';
import type { ScriptedAgentUpstream } from './support/scripted-agent-upstream.js';

const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Connect an agent'), readme.indexOf('## Documentation'));
const block = (language: string) => {
  const match = section.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``));
  if (!match) throw new Error(`README's "Connect an agent" has no ${language} block`);
  return match[1]!;
};
const readmeHost = 'http://127.0.0.1:8787';

/** The `preloop` CLI bundled as the package ships it. */
const bundledCli = () => bundle('preloop-agents-e2e');

/** Runs one README shell line with bash, bounded by `timeoutMs`. */
const runLine = (line: string, options: { cwd: string; env: Record<string, string>; timeoutMs: number }) =>
  run('bash', ['-c', line], options);

describe('Claude Code and Codex, set up as the README says, against the reference server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-agents-e2e-'));
  let upstream: ScriptedAgentUpstream;
  let server: ReferenceServer;
  let ownerKey: string;
  const approved: Array<{ id: string; tool: string; subject: string; runtimeSessionId: string | null }> = [];
  let stopApprover: (() => void) | undefined;

  const api = adminApi(
    () => server.url,
    () => ownerKey,
  );
  const agentKey = async (name: string) =>
    (await server.preloop.identity.apiKeys.create(server.preloop.accountId, { name, scopes: ['mcp', 'gateway'] })).key;
  /** The environment of an agent: nothing inherited but PATH (with node_modules/.bin first) and the locale. */
  const agentEnv = (home: string, key: string, extra: Record<string, string> = {}) => ({
    PATH: `${path.join(repo, 'node_modules/.bin')}:${process.env.PATH}`,
    LANG: 'C.UTF-8',
    HOME: home,
    TMPDIR: tmpdir(),
    PRELOOP_API_KEY: key,
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...extra,
  });
  const here = (text: string) => text.replaceAll(readmeHost, server.url);

  beforeAll(async () => {
    upstream = await startTriageUpstream();
    // The README's configuration file; the providers point at the scripted upstream, and one tool runs without approval.
    const config = parse(block('yaml')) as any;
    for (const model of config.models) {
      model.baseUrl = model.provider === 'openai' ? `${upstream.url}/v1` : upstream.url;
      model.apiKey = providerKey;
      model.prices = { input: 0, output: 0 };
    }
    config.mcpServers = [{ name: 'everything', transport: 'stdio', command: process.execPath, args: [everything] }];
    config.policy.rules = [{ name: 'echo-runs', tool: 'everything.echo', action: 'allow' }];
    server = await startConfiguredServer(dir, config);
    const owner = await server.preloop.identity.users.findByEmail('owner@example.com');
    ownerKey = (
      await server.preloop.identity.apiKeys.create(server.preloop.accountId, {
        name: 'approver',
        scopes: ['admin:read', 'admin:write'],
        userId: owner!.id,
      })
    ).key;
    // A human at the console: approves each pending call of the tool that needs one.
    stopApprover = startApprover(api, 'everything.get-sum', (request) =>
      approved.push({
        id: request.id,
        tool: request.tool.name,
        subject: request.subject.name,
        runtimeSessionId: request.runtimeSessionId,
      }),
    );
  }, 60_000);

  afterAll(async () => {
    stopApprover?.();
    await server?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Claude Code (-p): its tier names reach the aliases, a tool runs through /mcp, another waits for an approval, then the final answer', async () => {
    const key = await agentKey('claude-code');
    const home = path.join(dir, 'claude-home');
    const work = path.join(dir, 'claude-work');
    mkdirSync(home);
    mkdirSync(work);
    const lines = block('sh')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    const add = lines.find((line) => line.startsWith('claude mcp add '))!;
    const headless = lines.find((line) => line.includes(' claude -p '))!;
    expect(add).toBeDefined();
    expect(headless).toBeDefined();
    const env = agentEnv(home, key);
    const added = await runLine(here(add), { cwd: work, env, timeoutMs: 20_000 });
    expect(added.code, added.stderr).toBe(0);
    const run = await runLine(here(headless), { cwd: work, env, timeoutMs: 45_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('FINAL: Echo: hello through Preloop | The sum of 2 and 3 is 5.');

    const calls = upstream.requests.filter((request) => request.path === '/v1/messages');
    // Claude Code asked for its own model ids; modelNames served them with the README's aliases (smart → claude-sonnet-4-5).
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(new Set(calls.map((request) => request.body.model))).toContain('claude-sonnet-4-5');
    expect(calls.every((request) => request.authorization === providerKey)).toBe(true);
    // It found the tools through its ToolSearch, then called them by their mcp__preloop__ names.
    expect(
      calls.some((request) =>
        (request.body.tools ?? []).some((tool: { name: string }) => tool.name === 'mcp__preloop__everything_get-sum'),
      ),
    ).toBe(true);
    expect(approved).toContainEqual(expect.objectContaining({ tool: 'everything.get-sum', subject: 'claude-code' }));

    // A model that does not exist: the gateway's 404 makes Claude Code report the model, not "Failed to authenticate" (as the 403 did).
    const unknown = await runLine(`${here(headless)} --model no-such-model`, { cwd: work, env, timeoutMs: 45_000 });
    const shown = `${unknown.stdout}\n${unknown.stderr}`;
    expect(unknown.code, shown).not.toBe(0);
    expect(shown).toContain('issue with the selected model (no-such-model). It may not exist');
    expect(shown).not.toMatch(/authenticat/i);
  }, 90_000);

  it('Claude Code with short-lived credentials: apiKeyHelper and the MCP headersHelper run `preloop token`, and the run is one runtime session', async () => {
    const key = await agentKey('claude-code-helper');
    const home = path.join(dir, 'helper-home');
    const work = path.join(dir, 'helper-work');
    mkdirSync(path.join(home, '.claude'), { recursive: true });
    mkdirSync(work);
    const sessionFile = path.join(dir, 'helper-session');
    const cli = await bundledCli();
    const token = `${process.execPath} ${cli} token --url ${server.url} --session-file ${sessionFile}`;
    writeFileSync(
      path.join(home, '.claude', 'settings.json'),
      JSON.stringify({ apiKeyHelper: token, env: { ANTHROPIC_BASE_URL: `${server.url}/anthropic` } }),
    );
    const env = agentEnv(home, key);
    const added = await runLine(
      `claude mcp add-json preloop '${JSON.stringify({ type: 'http', url: `${server.url}/mcp`, headersHelper: `${token} --format header-json` })}'`,
      { cwd: work, env, timeoutMs: 20_000 },
    );
    expect(added.code, added.stderr).toBe(0);
    // Claude Code runs a headersHelper only in a folder someone trusted (the dialog of an interactive start).
    const state = JSON.parse(readFileSync(path.join(home, '.claude.json'), 'utf8'));
    state.projects = { ...state.projects, [work]: { ...state.projects?.[work], hasTrustDialogAccepted: true } };
    writeFileSync(path.join(home, '.claude.json'), JSON.stringify(state));
    const run = await runLine('claude -p "Triage the open issues" --allowedTools mcp__preloop', { cwd: work, env, timeoutMs: 45_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('FINAL: Echo: hello through Preloop | The sum of 2 and 3 is 5.');

    // Both helpers renewed one session: its model calls and tool calls are recorded on it.
    const sessionId = readFileSync(sessionFile, 'utf8').trim();
    const session = await server.preloop.identity.runtimeSessions.get(server.preloop.accountId, sessionId);
    expect(session).toMatchObject({ state: 'active', source: 'cli' });
    // Model calls are recorded in batches after the answer: wait for them.
    const kinds = async () =>
      new Set(
        (await server.preloop.identity.runtimeSessions.listActivity(server.preloop.accountId, sessionId, { limit: 200 })).items.map(
          (entry) => entry.kind,
        ),
      );
    await expect
      .poll(async () => [...(await kinds())].sort(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['model_call', 'tool_call']));
    expect(approved).toContainEqual(expect.objectContaining({ tool: 'everything.get-sum', runtimeSessionId: sessionId }));
  }, 90_000);

  it("Codex with a short-lived model credential: the provider's auth command runs `preloop token`", async () => {
    const key = await agentKey('codex-helper');
    const home = path.join(dir, 'codex-helper-home');
    const codexHome = path.join(dir, 'codex-helper-config');
    const work = path.join(dir, 'codex-helper-work');
    for (const folder of [home, codexHome, work]) mkdirSync(folder);
    const cli = await bundledCli();
    const sessionFile = path.join(dir, 'codex-helper-session');
    // The README's config.toml, with the provider's key from a command instead of env_key (the MCP server keeps the API key).
    const readmeToml = here(block('toml'));
    const auth = `[model_providers.preloop.auth]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ${JSON.stringify([cli, 'token', '--url', server.url, '--session-file', sessionFile])}\nrefresh_interval_ms = 600000\n\n`;
    const toml = readmeToml.replace('env_key = "PRELOOP_API_KEY"\n', '').replace('[mcp_servers.preloop]', `${auth}[mcp_servers.preloop]`);
    expect(toml).not.toContain('env_key');
    writeFileSync(path.join(codexHome, 'config.toml'), toml);
    execFileSync('git', ['init', '-q'], { cwd: work });
    const run = await runLine('codex exec "Triage the open issues"', {
      cwd: work,
      env: agentEnv(home, key, { CODEX_HOME: codexHome }),
      timeoutMs: 45_000,
    });
    expect(run.code, `${readFileSync(path.join(codexHome, 'config.toml'), 'utf8')}\n${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('The sum of 2 and 3 is 5.');
    const sessionId = readFileSync(sessionFile, 'utf8').trim();
    await expect
      .poll(
        async () =>
          (await server.preloop.identity.runtimeSessions.listActivity(server.preloop.accountId, sessionId, { limit: 200 })).items.some(
            (entry) => entry.kind === 'model_call',
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  }, 90_000);

  it('Codex (exec): the README config.toml, a tool through /mcp, another waits for an approval, then the final answer', async () => {
    const key = await agentKey('codex');
    const home = path.join(dir, 'codex-home');
    const codexHome = path.join(dir, 'codex-config');
    const work = path.join(dir, 'codex-work');
    for (const folder of [home, codexHome, work]) mkdirSync(folder);
    writeFileSync(path.join(codexHome, 'config.toml'), here(block('toml')));
    execFileSync('git', ['init', '-q'], { cwd: work });
    const exec = section.match(/`(codex exec "[^"`]+")`/)?.[1];
    expect(exec).toBeDefined();
    const run = await runLine(exec!, { cwd: work, env: agentEnv(home, key, { CODEX_HOME: codexHome }), timeoutMs: 45_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('FINAL:');
    expect(run.stdout).toContain('Echo: hello through Preloop');
    expect(run.stdout).toContain('The sum of 2 and 3 is 5.');

    const calls = upstream.requests.filter((request) => request.path === '/v1/responses');
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.every((request) => request.body.model === 'gpt-5-codex' && request.authorization === providerKey)).toBe(true);
    // Codex offers Preloop's tools as one namespace.
    expect(calls[0]!.body.tools).toContainEqual(expect.objectContaining({ type: 'namespace', name: 'mcp__preloop' }));
    expect(approved).toContainEqual(expect.objectContaining({ tool: 'everything.get-sum', subject: 'codex' }));
  }, 90_000);
});
