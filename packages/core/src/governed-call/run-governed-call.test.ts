import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../plugins/define-plugin.js';
import type { Principal } from '../identity/principal.js';
import { createTestPreloop, testDialects, type TestPreloop } from '../testing.js';
import type {
  GovernedApprovalStep,
  GovernedExecution,
  GovernedCallRecord,
  GovernedCallSurface,
  GovernedSettlement,
} from './governed-call-types.js';
import { runGovernedCall } from './run-governed-call.js';

const policy = `
version: 1
defaults:
  tools: deny
  models:
    allow: ["fast", "cheap"]
rules:
  - name: reads
    tool: "demo.get_*"
    action: allow
  - name: writes
    tool: "demo.create_*"
    action: require_approval
    workflow: admins
workflows:
  admins:
    approvers: { roles: [admin] }
`;

/** A plugin evaluator: denies model calls whose body says "forbidden", asks approval for `demo.get_secret`. */
const watchdog = definePlugin({
  id: 'watchdog',
  hooks: {
    'policy.evaluate': (input) => {
      if (input.kind === 'model_call')
        return input.body.prompt === 'forbidden'
          ? { action: 'deny', reason: 'no forbidden prompts', explanation: { scope: 'plugin:watchdog', rule: null } }
          : undefined;
      return input.tool.name === 'demo.get_secret'
        ? { action: 'require_approval', workflow: 'admins', explanation: { scope: 'plugin:watchdog', rule: null } }
        : undefined;
    },
  },
});

type Records = Array<GovernedCallRecord<string, Record<string, unknown>, string>>;

interface SurfaceOptions {
  kind?: 'tool_call' | 'model_call';
  name: string;
  args?: Record<string, unknown>;
  retarget?: string;
  intentFails?: boolean;
  executeThrows?: boolean;
  settled?: Promise<GovernedSettlement>;
  approval?: GovernedApprovalStep<string>;
}

/** A surface whose stages are plain functions recording what ran: what MCP and the gateway pass in, without I/O. */
function surfaceOf(principal: Principal, options: SurfaceOptions) {
  const ran: string[] = [];
  const usage: Records = [];
  const audit: Records = [];
  const surface: GovernedCallSurface<string, Record<string, unknown>, string> = {
    kind: options.kind ?? 'tool_call',
    scope: options.kind === 'model_call' ? 'models' : 'tools',
    authenticate: () => principal,
    async resolve(_principal, name) {
      const wanted = name ?? options.name;
      return wanted === 'demo.missing' ? null : { name: wanted, target: wanted };
    },
    describe: (target) => (options.kind === 'model_call' ? { kind: 'model_call', name: target } : { kind: 'tool_call', name: target }),
    async prepare() {
      ran.push('prepare');
      return { args: options.args ?? {}, ...(options.retarget ? { retarget: options.retarget } : {}) };
    },
    policyBody: (context) => context.args,
    async intent() {
      ran.push('intent');
      if (options.intentFails) throw new Error('audit store down');
    },
    async execute(context) {
      ran.push('execute');
      if (options.executeThrows) throw new Error('tool crashed');
      const executed: GovernedExecution<string> = { result: `ran ${context.target}` };
      return options.settled ? { ...executed, settled: options.settled } : { ...executed, settlement: { failed: false } };
    },
    async after(_context, executed) {
      ran.push('after');
      return { ...executed, result: `${executed.result} (filtered)` };
    },
    ...(options.approval ? { approve: async () => options.approval! } : {}),
    usage: (record) => void usage.push(record),
    audit: (record) => void audit.push(record),
  };
  return { surface, ran, usage, audit };
}

describe.each(testDialects().filter((dialect) => dialect.name === 'sqlite'))('the governed-call pipeline on $name', (dialect) => {
  let test: TestPreloop;
  let principal: Principal;
  beforeAll(async () => {
    test = await createTestPreloop(dialect, { plugins: [watchdog], policy });
    const { key } = await test.preloop.identity.apiKeys.create(test.preloop.accountId, { name: 'agent', scopes: ['mcp', 'gateway'] });
    principal = (await test.preloop.authenticate(new Request('http://localhost/', { headers: { authorization: `Bearer ${key}` } })))!;
  });
  afterAll(async () => {
    await test?.cleanup();
  });

  it('runs an allowed call through every stage in order, with usage and one audit record', async () => {
    const { surface, ran, usage, audit } = surfaceOf(principal, { name: 'demo.get_issue' });
    const outcome = await runGovernedCall(test.preloop, surface);
    expect(outcome).toMatchObject({ status: 'ran', result: 'ran demo.get_issue (filtered)', replayed: false });
    expect(outcome.trace).toEqual([
      'authenticate',
      'kill-switch',
      'resolve',
      'visibility',
      'prepare',
      'decision',
      'policy-hooks',
      'intent',
      'execute',
      'after',
      'usage',
      'audit',
    ]);
    expect(ran).toEqual(['prepare', 'intent', 'execute', 'after']);
    expect(usage).toHaveLength(1);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'succeeded', stage: 'after', decision: { action: 'allow', explanation: { rule: 'reads' } } });
  });

  it('denies by policy before anything runs, and records the denial once', async () => {
    const { surface, ran, usage, audit } = surfaceOf(principal, { name: 'demo.delete_repo' });
    const outcome = await runGovernedCall(test.preloop, surface);
    expect(outcome).toMatchObject({ status: 'refused', code: 'denied' });
    expect(ran).toEqual(['prepare']);
    expect(usage.map((record) => record.outcome)).toEqual(['denied']);
    expect(audit.map((record) => [record.outcome, record.stage])).toEqual([['denied', 'policy-hooks']]);
  });

  it('refuses an unknown target as not_found before preparing it', async () => {
    const { surface, ran, audit } = surfaceOf(principal, { name: 'demo.missing' });
    expect(await runGovernedCall(test.preloop, surface)).toMatchObject({ status: 'refused', code: 'not_found' });
    expect(ran).toEqual([]);
    expect(audit).toHaveLength(1);
  });

  it('lets a plugin policy.evaluate hook deny a model call the policy allows', async () => {
    const allowed = surfaceOf(principal, { kind: 'model_call', name: 'fast', args: { prompt: 'hello' } });
    expect(await runGovernedCall(test.preloop, allowed.surface)).toMatchObject({ status: 'ran' });
    const denied = surfaceOf(principal, { kind: 'model_call', name: 'fast', args: { prompt: 'forbidden' } });
    const outcome = await runGovernedCall(test.preloop, denied.surface);
    expect(outcome).toMatchObject({
      status: 'refused',
      code: 'denied',
      reason: 'no forbidden prompts',
      decision: { explanation: { scope: 'plugin:watchdog' } },
    });
    expect(denied.ran).toEqual(['prepare']);
    // A model the policy does not allow is not visible, so it never reaches preparation.
    const other = surfaceOf(principal, { kind: 'model_call', name: 'slow' });
    expect(await runGovernedCall(test.preloop, other.surface)).toMatchObject({
      status: 'refused',
      code: 'hidden',
      decision: { action: 'deny' },
    });
    expect(other.ran).toEqual([]);
  });

  it('reads the kill switch once per call, even when a before-hook redirects the call', async () => {
    const { surface } = surfaceOf(principal, { kind: 'model_call', name: 'fast', retarget: 'cheap' });
    const outcome = await runGovernedCall(test.preloop, surface);
    expect(outcome).toMatchObject({ status: 'ran', name: 'cheap', result: 'ran cheap (filtered)' });
    expect(outcome.trace.filter((stage) => stage === 'kill-switch')).toHaveLength(1);
    expect(outcome.trace.slice(0, 8)).toEqual([
      'authenticate',
      'kill-switch',
      'resolve',
      'visibility',
      'prepare',
      'resolve',
      'visibility',
      'decision',
    ]);
  });

  it('stops every call while the kill switch is active, before resolving anything', async () => {
    await test.preloop.governance.killSwitch.activate(test.preloop.accountId, ['tools'], 'incident 7', { type: 'system' });
    try {
      const { surface, ran, audit } = surfaceOf(principal, { name: 'demo.get_issue' });
      const outcome = await runGovernedCall(test.preloop, surface);
      expect(outcome).toMatchObject({ status: 'refused', code: 'killed', reason: 'Kill switch active for tools: incident 7' });
      expect(outcome.trace).toEqual(['authenticate', 'kill-switch', 'usage', 'audit']);
      expect(ran).toEqual([]);
      expect(audit[0]).toMatchObject({ outcome: 'denied', code: 'killed', stage: 'kill-switch' });
    } finally {
      await test.preloop.governance.killSwitch.deactivate(test.preloop.accountId, undefined, { type: 'system' });
    }
  });

  it('fails closed when the audit intent cannot be secured: the call does not run', async () => {
    const { surface, ran, usage, audit } = surfaceOf(principal, { name: 'demo.get_issue', intentFails: true });
    expect(await runGovernedCall(test.preloop, surface)).toMatchObject({ status: 'refused', code: 'audit_unavailable' });
    expect(ran).toEqual(['prepare', 'intent']);
    expect(usage.map((record) => record.outcome)).toEqual(['denied']);
    expect(audit.map((record) => record.code)).toEqual(['audit_unavailable']);
  });

  it('refuses a call that needs approval when the surface has no approval stage', async () => {
    const { surface, ran } = surfaceOf(principal, { name: 'demo.create_issue' });
    const outcome = await runGovernedCall(test.preloop, surface);
    expect(outcome).toMatchObject({ status: 'refused', code: 'approval' });
    expect(outcome.status === 'refused' && outcome.reason).toContain('workflow "admins"');
    expect(ran).toEqual(['prepare']);
  });

  it('follows the approval stage: approved runs once through the surface, pending and refused do not run', async () => {
    let runs = 0;
    const approved = surfaceOf(principal, {
      name: 'demo.get_secret',
      approval: { status: 'approved', approvalId: 'apr_1', once: async (run) => ({ executed: await run(), replayed: (runs += 1) > 1 }) },
    });
    const outcome = await runGovernedCall(test.preloop, approved.surface);
    expect(outcome).toMatchObject({
      status: 'ran',
      approvalId: 'apr_1',
      result: 'ran demo.get_secret (filtered)',
      decision: { action: 'require_approval' },
    });
    expect(outcome.trace).toContain('approval');
    expect(approved.ran).toEqual(['prepare', 'intent', 'execute', 'after']);
    expect(approved.audit[0]).toMatchObject({ outcome: 'succeeded', approvalId: 'apr_1' });

    const pending = surfaceOf(principal, {
      name: 'demo.create_issue',
      approval: { status: 'pending', approvalId: 'apr_2', reply: 'waiting' },
    });
    expect(await runGovernedCall(test.preloop, pending.surface)).toMatchObject({
      status: 'pending',
      result: 'waiting',
      approvalId: 'apr_2',
    });
    expect(pending.ran).toEqual(['prepare']);
    expect(pending.usage.map((record) => record.outcome)).toEqual(['pending']);
    expect(pending.audit.map((record) => record.outcome)).toEqual(['pending']);

    const refused = surfaceOf(principal, {
      name: 'demo.create_issue',
      approval: { status: 'refused', approvalId: 'apr_3', reason: 'approval denied' },
    });
    expect(await runGovernedCall(test.preloop, refused.surface)).toMatchObject({
      status: 'refused',
      code: 'approval',
      reason: 'approval denied',
    });
    expect(refused.ran).toEqual(['prepare']);
  });

  it('records usage and the audit record once, when a streamed result ends', async () => {
    let end!: (settlement: GovernedSettlement) => void;
    const settled = new Promise<GovernedSettlement>((resolve) => (end = resolve));
    const { surface, ran, usage, audit } = surfaceOf(principal, { kind: 'model_call', name: 'fast', settled });
    const outcome = await runGovernedCall(test.preloop, surface);
    expect(outcome).toMatchObject({ status: 'ran', result: 'ran fast' });
    // Streamed: no after stage on the stream, and nothing recorded while it runs.
    expect(ran).toEqual(['prepare', 'intent', 'execute']);
    expect(usage).toHaveLength(0);
    expect(audit).toHaveLength(0);
    end({ failed: true, reason: 'stream cut' });
    await settled;
    await Promise.resolve();
    expect(usage).toHaveLength(1);
    expect(audit.map((record) => [record.outcome, record.reason])).toEqual([['failed', 'stream cut']]);
  });

  it('records a stage that throws once, as failed, and rethrows its error', async () => {
    const { surface, usage, audit } = surfaceOf(principal, { name: 'demo.get_issue', executeThrows: true });
    await expect(runGovernedCall(test.preloop, surface)).rejects.toThrow('tool crashed');
    expect(usage.map((record) => record.outcome)).toEqual(['failed']);
    expect(audit.map((record) => [record.outcome, record.stage, record.reason])).toEqual([['failed', 'execute', 'tool crashed']]);
  });
});
