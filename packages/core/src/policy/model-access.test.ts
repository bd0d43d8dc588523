import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { type CompiledPolicy, compilePolicy } from './compile-policy.js';
import { defaultPolicy } from './default-policy.js';
import { isModelAllowed } from './model-access.js';

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    type: 'api_key',
    id: 'k1',
    accountId: 'acc',
    name: 'key',
    role: null,
    userId: null,
    apiKeyId: 'k1',
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: [],
    ...overrides,
  };
}

describe('isModelAllowed', () => {
  const compiled = compilePolicy({
    version: 1,
    defaults: { tools: 'allow', models: { allow: ['gpt-4o*', 'claude-*'] } },
    scopes: [
      { subject: { apiKey: 'cheap' }, models: { allow: ['gpt-4o-mini', 'o3'] } },
      { subject: { team: 'research' }, models: { allow: ['claude-*'] } },
      { subject: { agent: 'bot' }, models: { allow: [] } },
      { subject: { team: 'nomodels' } },
    ],
  });

  it('denies every model under the default policy', () => {
    const access = isModelAllowed(compilePolicy(defaultPolicy), principal(), 'gpt-4o');
    expect(access).toEqual({ allowed: false, reason: 'Model not allowed: gpt-4o', explanation: { scope: 'account', pattern: null } });
  });

  it('allows models matching the account list and names the glob', () => {
    expect(isModelAllowed(compiled, principal(), 'claude-sonnet-4')).toEqual({
      allowed: true,
      reason: null,
      explanation: { scope: 'account', pattern: 'claude-*' },
    });
    expect(isModelAllowed(compiled, principal(), 'mistral-large').allowed).toBe(false);
  });

  it('lets a scope narrow the account list but never widen it', () => {
    const cheap = principal({ apiKeyId: 'cheap' });
    expect(isModelAllowed(compiled, cheap, 'gpt-4o-mini')).toEqual({
      allowed: true,
      reason: null,
      explanation: { scope: 'apiKey:cheap', pattern: 'gpt-4o-mini' },
    });
    expect(isModelAllowed(compiled, cheap, 'gpt-4o')).toMatchObject({ allowed: false, explanation: { scope: 'apiKey:cheap' } });
    // o3 is in the scope's list but not the account's: still denied, by the account.
    expect(isModelAllowed(compiled, cheap, 'o3')).toMatchObject({ allowed: false, explanation: { scope: 'account' } });
  });

  it('requires every applicable scope to allow the model', () => {
    const both = principal({ apiKeyId: 'cheap', teamIds: ['research'] });
    expect(isModelAllowed(compiled, both, 'gpt-4o-mini')).toMatchObject({ allowed: false, explanation: { scope: 'team:research' } });
    const bot = principal({ apiKeyId: null, agentId: 'bot' });
    expect(isModelAllowed(compiled, bot, 'gpt-4o').allowed).toBe(false);
    const noList = principal({ apiKeyId: null, teamIds: ['nomodels'] });
    expect(isModelAllowed(compiled, noList, 'gpt-4o').allowed).toBe(true);
  });

  it('never allows look-alike or malformed model names, and never throws', () => {
    expect(isModelAllowed(compiled, principal(), 'gpt-4o ')).toMatchObject({ allowed: false, reason: 'Model not allowed: gpt-4o\\u0020' });
    expect(isModelAllowed(compiled, principal(), 'ｇｐｔ-4o').allowed).toBe(false);
    expect(isModelAllowed(compiled, principal(), 42 as unknown as string).allowed).toBe(false);
    expect(isModelAllowed(compiled, null as unknown as Principal, 'gpt-4o')).toMatchObject({
      allowed: false,
      reason: 'policy_error: bad input: subject must be an object',
    });
    expect(isModelAllowed({} as CompiledPolicy, principal(), 'gpt-4o').allowed).toBe(false);
  });
});
