import { describe, expect, it } from 'vitest';
import { createEvents } from '../events/create-event-bus.js';
import type { Principal } from '../identity/principal.js';
import { definePlugin } from '../plugins/define-plugin.js';
import type { ToolCallPolicyInput } from './hook-types.js';
import { createHookRunner } from './hook-runner.js';

const subject: Principal = {
  type: 'api_key',
  id: 'k1',
  accountId: 'acc',
  name: 'key',
  role: 'admin',
  userId: 'u1',
  apiKeyId: 'k1',
  agentId: null,
  runtimeSessionId: null,
  teamIds: [],
  scopes: ['mcp'],
};
const input: ToolCallPolicyInput = { kind: 'tool_call', subject, tool: { name: 'github.create_issue' }, args: {} };
const explanation = { scope: 'plugin', rule: null };

describe('policy.evaluate hook strategy', () => {
  it('deny overrides require_approval overrides allow', async () => {
    const allow = definePlugin({ id: 'allow', hooks: { 'policy.evaluate': () => ({ action: 'allow', explanation }) as never } });
    const approve = definePlugin({
      id: 'approve',
      hooks: { 'policy.evaluate': () => ({ action: 'require_approval', workflow: 'admins', explanation }) as never },
    });
    const deny = definePlugin({ id: 'deny', hooks: { 'policy.evaluate': () => ({ action: 'deny', reason: 'no', explanation }) as never } });
    const events = createEvents();
    expect((await createHookRunner([allow, approve], events).evaluatePolicy(input))?.action).toBe('require_approval');
    expect((await createHookRunner([allow, approve, deny], events).evaluatePolicy(input))?.action).toBe('deny');
    expect((await createHookRunner([deny, allow], events).evaluatePolicy(input))?.action).toBe('deny');
    expect((await createHookRunner([allow], events).evaluatePolicy(input))?.action).toBe('allow');
  });

  it('an evaluator that throws counts as deny and is reported', async () => {
    const allow = definePlugin({ id: 'allow', hooks: { 'policy.evaluate': () => ({ action: 'allow', explanation }) as never } });
    const broken = definePlugin({
      id: 'broken',
      hooks: {
        'policy.evaluate': async () => {
          throw new Error('boom');
        },
      },
    });
    const events = createEvents();
    const failures: string[] = [];
    events.on('hook-failed', ({ pluginId }) => failures.push(pluginId));
    const decision = await createHookRunner([allow, broken], events).evaluatePolicy(input);
    expect(decision?.action).toBe('deny');
    expect(decision && 'reason' in decision ? decision.reason : '').toContain('broken');
    expect(failures).toEqual(['broken']);
  });

  it('abstaining evaluators leave no decision', async () => {
    const abstain = definePlugin({ id: 'abstain', hooks: { 'policy.evaluate': () => undefined } });
    expect(await createHookRunner([abstain], createEvents()).evaluatePolicy(input)).toBeNull();
  });
});

describe('hook registration', () => {
  it('refuses an unknown hook name', () => {
    const plugin = { id: 'typo', hooks: { 'tool.befor': () => {} } } as never;
    expect(() => createHookRunner([plugin], createEvents())).toThrow(/unknown hook "tool.befor"/);
  });

  it('refuses a second approval provider', () => {
    const provider = {} as never;
    expect(() =>
      createHookRunner(
        [
          definePlugin({ id: 'a', hooks: { 'approval.request': provider } }),
          definePlugin({ id: 'b', hooks: { 'approval.request': provider } }),
        ],
        createEvents(),
      ),
    ).toThrow(/only one approval provider/);
  });

  it('runs transforms in order and isolates failing audit sinks', async () => {
    const first = definePlugin({ id: 'first', hooks: { 'tool.before': (call) => ({ ...call, args: { ...call.args, trail: 'a' } }) } });
    const second = definePlugin({
      id: 'second',
      hooks: { 'tool.before': (call) => ({ ...call, args: { ...call.args, trail: `${String(call.args.trail)}b` } }) },
    });
    const received: string[] = [];
    const failing = definePlugin({
      id: 'failing',
      hooks: {
        'audit.record': () => {
          throw new Error('sink down');
        },
      },
    });
    const working = definePlugin({ id: 'working', hooks: { 'audit.record': (record) => void received.push(record.action) } });
    const events = createEvents();
    const failures: string[] = [];
    events.on('hook-failed', ({ pluginId }) => failures.push(pluginId));
    const runner = createHookRunner([first, second, failing, working], events);
    expect((await runner.beforeTool({ principal: subject, tool: 't', args: {} })).args.trail).toBe('ab');
    await runner.sendToAuditSinks({ action: 'x.y' } as never);
    expect(received).toEqual(['x.y']);
    expect(failures).toEqual(['failing']);
  });
});
