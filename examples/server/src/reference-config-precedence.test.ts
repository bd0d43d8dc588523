import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { testDialects, type TestDatabase } from '@preloop/core/testing';
import { serveHttpUpstream, type HttpUpstream } from '../../../packages/mcp/src/test-support/http-upstream.js';
import { createToolServer, createToolServerState, echoTool, sendEmailTool } from '../../../packages/mcp/src/test-support/tool-server.js';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';

const filePolicy = `version: 1
defaults:
  tools: require_approval
  workflow: admins
workflows:
  admins:
    approvers: { roles: [owner, admin] }
rules: []
`;

/** What an admin applies through the API: the file's policy plus a scope. */
const apiPolicy = {
  version: 1,
  defaults: { tools: 'require_approval', workflow: 'admins' },
  workflows: { admins: { approvers: { roles: ['owner', 'admin'] } } },
  rules: [],
  scopes: [{ subject: { agent: 'release-bot' }, rules: [{ name: 'release-bot-echoes', tool: 'echo', action: 'allow' }] }],
};

describe.each(testDialects())('reference server configuration file on $name', (dialect) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-precedence-'));
  const config = path.join(dir, 'preloop.yaml');
  let database: TestDatabase;
  let upstream: HttpUpstream;
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => logs.push(line) });

  beforeAll(async () => {
    database = await dialect.create();
    upstream = await serveHttpUpstream(() => createToolServer(createToolServerState([echoTool, sendEmailTool])));
    writeFileSync(path.join(dir, 'policy.yaml'), filePolicy);
  });
  afterAll(async () => {
    await upstream?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    PRELOOP_DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: dialect.name === 'sqlite' ? `sqlite:${path.join(dir, 'preloop.db')}` : database.url,
    PRELOOP_CONFIG: config,
    UPSTREAM_URL: upstream.url,
  });
  const start = (lines: string[]) => {
    writeFileSync(config, [...lines, ''].join('\n'));
    logs.length = 0;
    return startReferenceServer({ env: env(), port: 0, logger });
  };
  const adminKey = async (server: ReferenceServer) => {
    const { preloop } = server;
    const user = await preloop.identity.users.create(preloop.accountId, {
      email: `admin-${Date.now()}@example.com`,
      name: 'admin',
      role: 'admin',
    });
    return (
      await preloop.identity.apiKeys.create(preloop.accountId, { name: 'admin', scopes: ['admin:read', 'admin:write'], userId: user.id })
    ).key;
  };
  const api = (server: ReferenceServer, key: string, method: string, route: string, body?: unknown) =>
    fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('states namespaced, trustOnFirstUse, timeoutMs, enabled and trust for an upstream; settings it leaves out keep what an admin set', async () => {
    const server = await start([
      'mcpServers:',
      '  - name: mail',
      '    transport: http',
      '    url: ${UPSTREAM_URL}',
      '    namespaced: false',
      '    trustOnFirstUse: false',
      '    timeoutMs: 5000',
      '    trust: untrusted',
      '  - name: off',
      '    transport: http',
      '    url: ${UPSTREAM_URL}',
      '    enabled: false',
    ]);
    let key: string;
    try {
      key = await adminKey(server);
      const servers = (await (await api(server, key, 'GET', '/mcp-servers')).json()).items as Record<string, unknown>[];
      expect(servers.find((entry) => entry.name === 'mail')).toMatchObject({
        namespaced: false,
        trustOnFirstUse: false,
        timeoutMs: 5000,
        enabled: true,
        trust: 'untrusted',
        source: 'config',
      });
      expect(servers.find((entry) => entry.name === 'off')).toMatchObject({ enabled: false, namespaced: true, trust: 'trusted' });
      // Not namespaced, and no trust on first use: the config scan leaves the bare names pending.
      const tools = (await (await api(server, key, 'GET', '/tools')).json()).items as { name: string; status?: string }[];
      expect(tools.find((entry) => entry.name === 'echo')).toMatchObject({ status: 'pending' });
      expect(tools.some((entry) => entry.name.startsWith('off.'))).toBe(false);
      const mail = servers.find((entry) => entry.name === 'mail')!;
      expect((await api(server, key, 'PATCH', `/mcp-servers/${mail.id}`, { enabled: false })).status).toBe(200);
    } finally {
      await server.close();
    }
    // The file now changes the timeout and says nothing about `enabled`: the admin's change stays.
    const again = await start([
      'mcpServers:',
      '  - name: mail',
      '    transport: http',
      '    url: ${UPSTREAM_URL}',
      '    namespaced: false',
      '    timeoutMs: 7000',
    ]);
    try {
      const servers = (await (await api(again, key, 'GET', '/mcp-servers')).json()).items as Record<string, unknown>[];
      expect(servers.find((entry) => entry.name === 'mail')).toMatchObject({
        timeoutMs: 7000,
        enabled: false,
        trustOnFirstUse: false,
        trust: 'untrusted',
      });
      expect(logs.join('\n')).toContain('MCP server mail updated');
    } finally {
      await again.close();
    }
  });

  it('keeps a newer policy applied through the API on restart (policyPrecedence: database, the default) and says so loudly', async () => {
    const first = await start(['policy: ./policy.yaml']);
    let key: string;
    let fileVersion: number;
    let apiVersion: number;
    try {
      key = await adminKey(first);
      fileVersion = (await (await api(first, key, 'GET', '/policy')).json()).version;
      const applied = await api(first, key, 'POST', '/policy', { document: apiPolicy, comment: 'scope for the release bot' });
      expect(applied.status).toBe(201);
      apiVersion = (await applied.json()).version;
      expect(apiVersion).toBe(fileVersion + 1);
    } finally {
      await first.close();
    }

    const second = await start(['policy: ./policy.yaml']);
    try {
      const active = await (await api(second, key, 'GET', '/policy')).json();
      expect(active.version).toBe(apiVersion);
      expect(active.document.scopes).toHaveLength(1);
      const warning = logs.find((line) => line.includes('POLICY NOT APPLIED'));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', activeVersion: apiVersion, fileVersion });
      expect(warning).toContain(`version ${apiVersion}`);
      expect(warning).toContain(`version ${fileVersion}`);
    } finally {
      await second.close();
    }

    // GitOps: the file wins when asked to, and the replacement is loud too.
    const third = await start(['policyPrecedence: file', 'policy: ./policy.yaml']);
    try {
      const active = await (await api(third, key, 'GET', '/policy')).json();
      expect(active.version).toBe(apiVersion + 1);
      expect(active.document.scopes ?? []).toHaveLength(0);
      const warning = logs.find((line) => line.includes('POLICY REPLACED'));
      expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', replacedVersion: apiVersion, version: apiVersion + 1 });
    } finally {
      await third.close();
    }

    // Now the file's version is the newest: the file applies again by default when it changes.
    writeFileSync(
      path.join(dir, 'policy.yaml'),
      filePolicy.replace('rules: []', 'rules:\n  - { name: echo is fine, tool: echo, action: allow }'),
    );
    const fourth = await start(['policy: ./policy.yaml']);
    try {
      const active = await (await api(fourth, key, 'GET', '/policy')).json();
      expect(active.version).toBe(apiVersion + 2);
      expect(logs.some((line) => line.includes('POLICY NOT APPLIED') || line.includes('POLICY REPLACED'))).toBe(false);
    } finally {
      await fourth.close();
    }
  });

  it('refuses an unknown policyPrecedence, naming the option', async () => {
    await expect(start(['policyPrecedence: newest', 'policy: ./policy.yaml'])).rejects.toThrow(/policyPrecedence/);
  });
});
