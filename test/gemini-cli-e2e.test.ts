/**
 * The real Gemini CLI (root devDependency, run from node_modules/.bin) against
 * the reference server, enrolled by `preloop agents onboard gemini-cli` in a
 * temporary HOME: onboard writes `~/.gemini/settings.json` (the MCP server,
 * the API-key auth type) and `~/.gemini/.env` (`GOOGLE_GEMINI_BASE_URL`), and
 * the user starts `gemini -p` with the stored key as `GEMINI_API_KEY`. Its
 * models are aliases on an Anthropic-format upstream (the scripted one), so
 * the gateway translates Gemini's API both ways, dotted MCP tool names
 * included. The script calls a tool through `/mcp`, one that waits for a human
 * approval (given through the admin API), then answers. Telemetry, update
 * checks and the relaunch are off: nothing leaves the machine.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '@preloop/core';
import type { ReferenceServer } from '../examples/server/src/reference-server.js';
import {
  adminApi,
  bundledCli,
  everything,
  providerKey,
  repo,
  run,
  startApprover,
  startConfiguredServer,
  startTriageUpstream,
} from './support/agent-e2e.js';
import type { ScriptedAgentUpstream } from './support/scripted-agent-upstream.js';

describe('Gemini CLI, onboarded with preloop agents, against the reference server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-gemini-e2e-'));
  let upstream: ScriptedAgentUpstream;
  let server: ReferenceServer;
  let ownerKey: string;
  let enrollKey: string;
  const approved: Array<{ tool: string; subject: string }> = [];
  let stopApprover: (() => void) | undefined;

  const api = adminApi(
    () => server.url,
    () => ownerKey,
  );

  beforeAll(async () => {
    upstream = await startTriageUpstream();
    // The README's models on the scripted Anthropic upstream; Gemini CLI's Google model names mapped as the gateway guide says.
    const config = {
      models: [
        { alias: 'smart', provider: 'anthropic', model: 'claude-sonnet-4-5', baseUrl: upstream.url, apiKey: providerKey },
        { alias: 'fast', provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: upstream.url, apiKey: providerKey },
      ].map((model) => ({ ...model, prices: { input: 0, output: 0 } })),
      gateway: { modelNames: { 'gemini-*-pro*': 'smart', 'gemini-*-flash*': 'fast' } },
      mcpServers: [{ name: 'everything', transport: 'stdio', command: process.execPath, args: [everything] }],
      policy: {
        version: 1,
        defaults: { tools: 'require_approval', workflow: 'admins', models: { allow: ['smart', 'fast'] } },
        workflows: { admins: { approvers: { roles: ['owner', 'admin'] } } },
        rules: [{ name: 'echo-runs', tool: 'everything.echo', action: 'allow' }],
      },
    };
    server = await startConfiguredServer(dir, config);
    // The owner enrolls the agent (its key acts for the owner); another admin approves, as nobody approves their own calls.
    const owner = await server.preloop.identity.users.findByEmail('owner@example.com');
    const approverUser = await server.preloop.identity.users.create(server.preloop.accountId, {
      email: 'approver@example.com',
      name: 'Approver',
      role: 'admin',
      password: 'approver-password-for-the-e2e-test',
    });
    const key = (userId: string, scopes: ApiKeyScope[]) =>
      server.preloop.identity.apiKeys.create(server.preloop.accountId, { name: scopes.join('+'), scopes, userId });
    ownerKey = (await key(approverUser.id, ['admin:read', 'admin:write'])).key;
    enrollKey = (await key(owner!.id, ['admin:write', 'mcp', 'gateway'])).key;
    // A human at the console: approves each pending call of the tool that needs one.
    stopApprover = startApprover(api, 'everything.get-sum', (request) =>
      approved.push({ tool: request.tool.name, subject: request.subject.name }),
    );
  }, 60_000);

  afterAll(async () => {
    stopApprover?.();
    await server?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gemini -p: models through the Gemini ingress (classifier and streamed loop), a tool through /mcp, another after an approval, then the answer; metered and audited for the agent', async () => {
    const home = path.join(dir, 'home');
    const work = path.join(dir, 'work');
    mkdirSync(path.join(home, '.gemini'), { recursive: true });
    mkdirSync(work);
    // The user's own settings before onboarding: no telemetry, no update checks; the work folder trusted (the start-up dialog).
    writeFileSync(
      path.join(home, '.gemini', 'settings.json'),
      `${JSON.stringify(
        {
          general: { disableAutoUpdate: true, disableUpdateNag: true },
          privacy: { usageStatisticsEnabled: false },
          telemetry: { enabled: false },
        },
        null,
        2,
      )}\n`,
    );
    writeFileSync(path.join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [work]: 'TRUST_FOLDER' }));
    const base = { PATH: `${path.join(repo, 'node_modules/.bin')}:${process.env.PATH}`, LANG: 'C.UTF-8', HOME: home, TMPDIR: tmpdir() };
    const cli = await bundledCli('preloop-gemini-e2e');
    const onboarded = await run(process.execPath, [cli, 'agents', 'onboard', 'gemini-cli', '--url', server.url, '--home', home], {
      cwd: work,
      env: { ...base, PRELOOP_ADMIN_KEY: enrollKey },
      timeoutMs: 20_000,
    });
    expect(onboarded.code, onboarded.stderr).toBe(0);
    expect(onboarded.stdout).toContain('GEMINI_API_KEY="$(cat');
    const credential = readFileSync(path.join(home, '.preloop', 'agents', 'gemini-cli', 'credential'), 'utf8').trim();

    const started = Date.now();
    const gemini = await run('gemini', ['-p', 'Triage the open issues', '--approval-mode', 'yolo'], {
      cwd: work,
      env: { ...base, GEMINI_API_KEY: credential, GEMINI_CLI_NO_RELAUNCH: 'true', NO_BROWSER: 'true' },
      timeoutMs: 45_000,
    });
    const shown = `${gemini.stdout}\n${gemini.stderr}\n${JSON.stringify(upstream.requests.map((request) => [request.path, request.body.model]))}`;
    expect(gemini.code, shown).toBe(0);
    // Gemini CLI hands MCP results to the model wrapped ({"output":"<untrusted_context>…"}): the script answers with what it got.
    expect(gemini.stdout, shown).toContain('FINAL:');
    expect(gemini.stdout, shown).toContain('Echo: hello through Preloop');
    expect(gemini.stdout, shown).toContain('The sum of 2 and 3 is 5.');

    // Every model call went through the gateway to the Anthropic upstream, with the provider's key, under the mapped aliases.
    const calls = upstream.requests.filter((request) => request.path === '/v1/messages');
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.every((request) => request.authorization === providerKey)).toBe(true);
    expect(calls.every((request) => ['claude-sonnet-4-5', 'claude-haiku-4-5'].includes(request.body.model))).toBe(true);
    // The dotted MCP names (mcp_preloop_everything.echo) reached Anthropic in its name pattern, and came back dotted to /mcp.
    const offered = calls.flatMap((request) => (request.body.tools ?? []).map((tool: { name: string }) => tool.name));
    expect(offered).toContain('mcp_preloop_everything_echo');
    expect(offered.every((name: string) => /^[a-zA-Z0-9_-]{1,64}$/.test(name))).toBe(true);
    // The routing classifier's structured call: its schema in JSON Schema's lower-case types (Gemini CLI sends "OBJECT").
    const classifier = calls.find((request) => request.body.output_config?.format?.type === 'json_schema');
    expect(classifier?.body.output_config.format.schema).toMatchObject({
      type: 'object',
      properties: { complexity_score: { type: 'integer' }, complexity_reasoning: { type: 'string' } },
    });
    expect(calls.filter((request) => request.body.stream === true).length).toBeGreaterThanOrEqual(3);
    expect(approved).toContainEqual({ tool: 'everything.get-sum', subject: expect.stringMatching(/^gemini-cli@/) });

    // Metered and audited for the enrolled agent: each model call (usage records, audit) and each tool call (audit).
    const agent = (await api('GET', '/agents')).items.find((each: { kind: string }) => each.kind === 'gemini_cli');
    expect(agent).toBeDefined();
    await expect
      .poll(async () => (await api('GET', `/usage?agentId=${agent.id}&limit=200`)).items?.length ?? 0, { timeout: 10_000 })
      .toBe(calls.length);
    const usage = (await api('GET', `/usage?agentId=${agent.id}&limit=200`)).items;
    expect(new Set(usage.map((record: { alias: string }) => record.alias))).toEqual(
      new Set(calls.map((request) => (request.body.model === 'claude-sonnet-4-5' ? 'smart' : 'fast'))),
    );
    await expect
      .poll(
        async () => {
          const records = (await api('GET', `/audit?actorId=${agent.id}&from=${started}&limit=200`)).items ?? [];
          return records.map((record: { action: string; targetId: string | null }) => `${record.action} ${record.targetId ?? ''}`);
        },
        { timeout: 10_000 },
      )
      .toEqual(
        expect.arrayContaining([
          ...calls.map(() => expect.stringMatching(/^model\.call (fast|smart)$/)),
          'mcp.tool.call everything.echo',
          'mcp.tool.result everything.echo',
          'mcp.tool.call everything.get-sum',
          'mcp.tool.result everything.get-sum',
        ]),
      );
  }, 60_000);
});
