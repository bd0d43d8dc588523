/**
 * The reference server (`examples/server`) with some data, for the screenshot
 * test. Node side only. When the reference server does not serve the console at
 * `/` yet, the same kernel is also served next to `createConsoleHandler()` (the
 * composition the reference server uses), and `wired` says which one `url` is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from '@preloop/approvals';
import { createLogger, type Principal } from '@preloop/core';
import { serve } from '@preloop/core/node';
import { createConsoleHandler } from '@preloop/console-elements/server';
import { startReferenceServer } from '../../../examples/server/src/reference-server.js';
// @ts-expect-error: a plain-JavaScript example without type declarations
import { startPortal } from '../../../examples/portal/serve.mjs';

/** A running reference server, seeded. */
export interface ReferenceFixture {
  /** Where the console is served (`/`). */
  url: string;
  /** True when `url` is the reference server itself; false when it is the fallback composition. */
  wired: boolean;
  /** The portal example (`examples/portal`) served against it. */
  portalUrl: string;
  email: string;
  password: string;
  close(): Promise<void>;
}

/**
 * Starts the reference server on a throwaway data folder and seeds it.
 *
 * @example
 * ```ts
 * const reference = await startReferenceFixture();
 * ```
 */
export async function startReferenceFixture(): Promise<ReferenceFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-'));
  const email = 'admin@example.com';
  const password = 'screenshot-password-1';
  const reference = await startReferenceServer({
    env: { PRELOOP_DATA_DIR: dir, PRELOOP_ADMIN_EMAIL: email, PRELOOP_ADMIN_PASSWORD: password },
    port: 0,
    logger: createLogger({ level: 'silent' }),
  });
  const { preloop } = reference;
  const accountId = preloop.accountId;
  const { identity } = preloop;
  const agents = [
    await identity.agents.enroll(accountId, { name: 'claude-code-ci', kind: 'claude_code', tags: ['ci'] }),
    await identity.agents.enroll(accountId, { name: 'release-bot', kind: 'custom', tags: ['release'] }),
    await identity.agents.enroll(accountId, { name: 'codex-nightly', kind: 'codex', tags: ['nightly'] }),
  ];
  const sessions = [
    await identity.runtimeSessions.start(accountId, { name: 'Fix flaky checkout test', agentId: agents[0]!.id, source: 'ci' }),
    await identity.runtimeSessions.start(accountId, { name: 'Draft release notes v2.4', agentId: agents[1]!.id, source: 'cli' }),
    await identity.runtimeSessions.start(accountId, { name: 'Nightly dependency bump', agentId: agents[2]!.id, source: 'cron' }),
  ];
  const tools = [
    'github.list_issues',
    'github.get_file',
    'github.create_issue',
    'jira.search',
    'github.list_issues',
    'slack.post_message',
    'github.get_file',
    'jira.search',
  ];
  const principalOf = (index: number): Principal => {
    const started = sessions[index % sessions.length]!;
    return {
      type: 'runtime_session',
      id: started.session.id,
      accountId,
      name: agents[index % agents.length]!.name,
      role: null,
      userId: null,
      apiKeyId: null,
      agentId: started.session.agentId,
      runtimeSessionId: started.session.id,
      teamIds: [],
      scopes: ['mcp'],
    };
  };
  for (const [index, tool] of tools.entries()) {
    await preloop.audit.record({
      actor: principalOf(index),
      action: 'mcp.tool.call',
      target: { type: 'tool', id: tool },
      outcome: tool.startsWith('slack') ? 'denied' : tool === 'github.create_issue' ? 'pending' : 'success',
      data: { tool },
    });
  }
  // Two tool calls waiting for a human.
  const engine = preloop.service('approvals');
  await engine.request({
    principal: principalOf(1),
    tool: { name: 'github.create_pull_request', definitionHash: null },
    args: { repo: 'acme/checkout', title: 'Release notes for v2.4', base: 'main', head: 'release/2.4' },
    workflow: 'admins',
    reason: 'Opening pull requests against main needs an approval',
    justification: 'The release notes are drafted and reviewed by the docs team.',
  });
  await engine.request({
    principal: principalOf(0),
    tool: { name: 'slack.post_message', definitionHash: null },
    args: { channel: '#eng-announce', text: 'Checkout test fixed: it now waits for the cart to load.', token: 'xoxb-0000000000-secret' },
    workflow: 'admins',
    reason: 'Posting to announcement channels needs an approval',
  });
  const served = await fetch(`${reference.url}/`).then((response) => response.text());
  const wired = served.includes('<preloop-console');
  let fallback: { url: string; close(): Promise<void> } | null = null;
  if (!wired) {
    const consoleHandler = createConsoleHandler();
    await consoleHandler.ready();
    fallback = await serve({
      port: 0,
      handler: (request) => (new URL(request.url).pathname.startsWith('/api/v1') ? preloop.api(request) : consoleHandler(request)),
    });
  }
  const portal = (await startPortal({ preloopUrl: fallback?.url ?? reference.url, port: 0 })) as { url: string; close(): Promise<void> };
  return {
    url: fallback?.url ?? reference.url,
    wired,
    portalUrl: portal.url,
    email,
    password,
    async close() {
      await portal.close();
      await fallback?.close();
      await reference.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
