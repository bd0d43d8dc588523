import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { compilePolicy } from './compile-policy.js';
import { evaluateToolCall } from './evaluate-policy.js';
import { parsePolicyDocument } from './policy-document.js';
import { runPolicyTests } from './policy-tests.js';

const inSession: Principal = {
  type: 'runtime_session',
  id: 'rs_1',
  accountId: 'acc',
  name: 'triage',
  role: null,
  userId: null,
  apiKeyId: null,
  agentId: null,
  runtimeSessionId: 'rs_1',
  teamIds: [],
  scopes: ['mcp'],
};
const byKey: Principal = { ...inSession, type: 'api_key', id: 'k_1', apiKeyId: 'k_1', runtimeSessionId: null };

const policy = compilePolicy(
  parsePolicyDocument(
    {
      version: 1,
      defaults: { tools: 'allow' },
      workflows: { admins: { approvers: { roles: ['owner', 'admin'] } } },
      rules: [
        {
          name: 'guarded',
          tool: 'mail.*',
          condition: 'session != null && session.tainted',
          action: 'require_approval',
          workflow: 'admins',
        },
        { name: 'bare', tool: 'http.*', condition: 'session.tainted', action: 'require_approval', workflow: 'admins' },
      ],
      tests: [
        { name: 'clean session mails', tool: 'mail.send', subject: { runtimeSessionId: 'rs_1' }, expect: 'allow' },
        {
          name: 'tainted session asks',
          tool: 'mail.send',
          subject: { runtimeSessionId: 'rs_1' },
          sessionTainted: true,
          expect: 'require_approval',
        },
      ],
    },
    'json',
  ),
);

describe('session.tainted in policy conditions', () => {
  it('is false in a clean session and true in a tainted one', () => {
    expect(evaluateToolCall(policy, { subject: inSession, tool: { name: 'mail.send' }, args: {} }).action).toBe('allow');
    expect(
      evaluateToolCall(policy, { subject: inSession, tool: { name: 'mail.send' }, args: {}, session: { tainted: false } }).action,
    ).toBe('allow');
    expect(
      evaluateToolCall(policy, { subject: inSession, tool: { name: 'mail.send' }, args: {}, session: { tainted: true } }),
    ).toMatchObject({ action: 'require_approval', explanation: { rule: 'guarded' } });
  });

  it('outside a runtime session, session is null: a guarded condition is false, a bare one fails closed', () => {
    expect(evaluateToolCall(policy, { subject: byKey, tool: { name: 'mail.send' }, args: {}, session: { tainted: true } }).action).toBe(
      'allow',
    );
    const bare = evaluateToolCall(policy, { subject: byKey, tool: { name: 'http.post' }, args: {} });
    expect(bare).toMatchObject({ action: 'deny' });
    expect(bare.action === 'deny' && bare.reason).toMatch(/^policy_error: condition of rule "bare" failed: No such key: tainted/);
  });

  it('refuses a malformed session input and runs policy tests with sessionTainted', () => {
    expect(
      evaluateToolCall(policy, { subject: inSession, tool: { name: 'mail.send' }, args: {}, session: { tainted: 'yes' } as never }),
    ).toMatchObject({ action: 'deny' });
    expect(runPolicyTests(policy)).toMatchObject({ passed: 2, failed: [] });
  });
});
