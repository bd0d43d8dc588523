import { afterEach, describe, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import type { Principal } from '../identity/principal.js';
import { createLogger } from '../logger.js';
import { definePlugin } from '../plugins/define-plugin.js';
import { createTestPreloop, testSecretKey, type TestPreloop } from '../testing/create-test-preloop.js';
import { describePostgres } from '../testing/describe-postgres.js';
import { testDialects } from '../testing/test-databases.js';

const allowReads = `
version: 1
defaults:
  tools: deny
  models:
    allow: ["gpt-4o*"]
rules:
  - name: reads
    tool: "github.get_*"
    action: allow
  - name: big-writes
    tool: "github.create_issue"
    action: require_approval
    workflow: admins
    condition: "size(args.title) > 10"
  - name: writes
    tool: "github.create_issue"
    action: allow
workflows:
  admins:
    approvers: { roles: [owner, admin] }
tests:
  - name: reads pass
    tool: github.get_issue
    expect: allow
`;

const subject = (preloop: Preloop, extra: Partial<Principal> = {}): Principal => ({
  type: 'api_key',
  id: 'key_1',
  accountId: preloop.accountId,
  name: 'test key',
  role: 'admin',
  userId: null,
  apiKeyId: 'key_1',
  agentId: null,
  runtimeSessionId: null,
  teamIds: [],
  scopes: ['mcp'],
  ...extra,
});

async function adminToken(preloop: Preloop, role: 'admin' | 'viewer' = 'admin'): Promise<string> {
  const user = await preloop.identity.users.create(preloop.accountId, {
    email: `${role}-${Math.random()}@example.com`,
    name: role,
    role,
    password: 'correct horse battery staple',
  });
  const { key } = await preloop.identity.apiKeys.create(preloop.accountId, {
    name: role,
    scopes: ['admin:read', 'admin:write'],
    userId: user.id,
  });
  return key;
}

const call = (preloop: Preloop, token: string, method: string, path: string, body?: unknown) =>
  preloop.api(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );

describe.each(testDialects())('governance on $name', (dialect) => {
  let kernel: TestPreloop;
  afterEach(async () => kernel?.cleanup());

  it('starts with the safe default policy: read-only tools allowed, the rest needs approval, unknown models denied', async () => {
    kernel = await createTestPreloop(dialect);
    const { governance } = kernel.preloop;
    const who = subject(kernel.preloop);
    expect((await governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_issue', readOnly: true }, args: {} })).action).toBe(
      'allow',
    );
    const write = await governance.evaluateToolCall({ subject: who, tool: { name: 'github.create_issue' }, args: {} });
    expect(write.action).toBe('require_approval');
    expect(write.action === 'require_approval' && write.workflow).toBe('admins');
    expect((await governance.isModelAllowed(who, 'gpt-4o')).allowed).toBe(false);
    expect((await governance.policies.versions(kernel.preloop.accountId)).map((v) => v.version)).toEqual([1]);
  });

  it('applies, lists, diffs, rolls back and exports versions; an invalid or failing document changes nothing', async () => {
    kernel = await createTestPreloop(dialect);
    const { preloop } = kernel;
    const token = await adminToken(preloop);
    const applied = await call(preloop, token, 'POST', '/policy', { document: allowReads, comment: 'reads' });
    expect(applied.status).toBe(201);
    expect((await applied.json()).version).toBe(2);

    const who = subject(preloop);
    expect(
      (await preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.create_issue' }, args: { title: 'short' } })).action,
    ).toBe('allow');
    const long = await preloop.governance.evaluateToolCall({
      subject: who,
      tool: { name: 'github.create_issue' },
      args: { title: 'a much longer title' },
    });
    expect(long.action).toBe('require_approval');
    expect(long.explanation.rule).toBe('big-writes');
    expect((await preloop.governance.isModelAllowed(who, 'gpt-4o-mini')).allowed).toBe(true);

    const invalid = await call(preloop, token, 'POST', '/policy', { document: 'version: 1\nrules:\n  - tool: x\n    action: maybe\n' });
    expect(invalid.status).toBe(400);
    const invalidBody = await invalid.json();
    expect(JSON.stringify(invalidBody.error.details)).toContain('rules[0].action');
    const failing = allowReads.replace('expect: allow', 'expect: deny');
    expect((await call(preloop, token, 'POST', '/policy', { document: failing })).status).toBe(400);
    expect((await preloop.governance.policies.active(preloop.accountId)).version).toBe(2);

    const diff = await (await call(preloop, token, 'POST', '/policy/diff', { from: 1, to: 2 })).json();
    expect(diff.diff).toContain('+');
    expect(diff.diff).toContain('github.get_*');

    const rolledBack = await call(preloop, token, 'POST', '/policy/rollback', { version: 1 });
    expect((await rolledBack.json()).version).toBe(3);
    expect(
      (await preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.create_issue' }, args: { title: 'short' } })).action,
    ).toBe('require_approval');
    const exported = await call(preloop, token, 'GET', '/policy/export?format=json');
    expect(JSON.parse(await exported.text()).defaults.tools).toBe('require_approval');
    const versions = await (await call(preloop, token, 'GET', '/policy/versions')).json();
    expect(versions.items.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
  });

  it('simulates a call against the active or a proposed document without running anything', async () => {
    kernel = await createTestPreloop(dialect);
    const token = await adminToken(kernel.preloop, 'viewer');
    const active = await (await call(kernel.preloop, token, 'POST', '/policy/simulate', { tool: 'github.delete_repo', args: {} })).json();
    expect(active.decision.action).toBe('require_approval');
    const proposed = await (
      await call(kernel.preloop, token, 'POST', '/policy/simulate', { tool: 'github.delete_repo', document: allowReads })
    ).json();
    expect(proposed.decision.action).toBe('deny');
    expect(proposed.visible).toBe(true);
    expect((await call(kernel.preloop, token, 'POST', '/policy', { document: allowReads })).status).toBe(403);
  });

  it('the kill switch denies tools and models with a reason saying so, and resumes', async () => {
    kernel = await createTestPreloop(dialect);
    const { preloop } = kernel;
    const token = await adminToken(preloop);
    await call(preloop, token, 'POST', '/policy', { document: allowReads });
    const who = subject(preloop);
    expect(
      (await call(preloop, token, 'POST', '/kill-switch/activate', { scopes: ['tools', 'models'], reason: 'incident 42' })).status,
    ).toBe(200);
    const denied = await preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_issue' }, args: {} });
    expect(denied).toMatchObject({ action: 'deny' });
    expect(denied.action === 'deny' && denied.reason).toMatch(/Kill switch active for tools: incident 42/);
    expect(await preloop.governance.isToolVisible(who, 'github.get_issue')).toBe(false);
    expect((await preloop.governance.isModelAllowed(who, 'gpt-4o')).reason).toMatch(/Kill switch/);
    await call(preloop, token, 'POST', '/kill-switch/deactivate', {});
    expect((await preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_issue' }, args: {} })).action).toBe(
      'allow',
    );
    const audit = await preloop.audit.query({ accountId: preloop.accountId, action: 'kill-switch.activate' });
    expect(audit.items).toHaveLength(1);
  });

  it('a plugin evaluator’s deny overrides the policy’s allow, and a throwing one denies', async () => {
    const denyDeletes = definePlugin({
      id: 'no-deletes',
      hooks: {
        'policy.evaluate': (input) =>
          input.kind === 'tool_call' && input.tool.name.includes('delete')
            ? { action: 'deny', reason: 'deletes are off', explanation: { scope: 'plugin:no-deletes', rule: null } }
            : undefined,
      },
    });
    const broken = definePlugin({
      id: 'broken',
      hooks: {
        'policy.evaluate': (input) => {
          if (input.kind === 'tool_call' && input.tool.name === 'github.get_boom') throw new Error('boom');
          return undefined;
        },
      },
    });
    kernel = await createTestPreloop(dialect, { plugins: [denyDeletes, broken], policy: allowReads.replace('github.get_*', 'github.*') });
    const who = subject(kernel.preloop);
    const decision = await kernel.preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.delete_issue' }, args: {} });
    expect(decision.action === 'deny' && decision.reason).toBe('deletes are off');
    expect((await kernel.preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_issue' }, args: {} })).action).toBe(
      'allow',
    );
    expect((await kernel.preloop.governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_boom' }, args: {} })).action).toBe(
      'deny',
    );
  });

  it('refuses an invalid initial policy at start-up', async () => {
    const database = await dialect.create();
    try {
      await expect(
        createPreloop({
          database: database.url,
          secretKey: testSecretKey,
          logger: createLogger({ level: 'silent' }),
          policy: 'version: 1\nrules: 7\n',
        }),
      ).rejects.toThrow(/rules/);
    } finally {
      await database.drop();
    }
  });
});

describePostgres('governance across instances', (dialect) => {
  it('the kill switch pulled on one kernel stops tools on another within moments', async () => {
    const first = await createTestPreloop(dialect, { policy: allowReads });
    const second = await createPreloop({ database: first.url, secretKey: testSecretKey, logger: createLogger({ level: 'silent' }) });
    try {
      const who = subject(second);
      expect((await second.governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_issue' }, args: {} })).action).toBe(
        'allow',
      );
      await first.preloop.governance.killSwitch.activate(first.preloop.accountId, ['tools'], 'stop', { type: 'system' });
      let action = 'allow';
      for (let i = 0; i < 50 && action === 'allow'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        action = (await second.governance.evaluateToolCall({ subject: who, tool: { name: 'github.get_issue' }, args: {} })).action;
      }
      expect(action).toBe('deny');
    } finally {
      await second.close();
      await first.cleanup();
    }
  });
});
