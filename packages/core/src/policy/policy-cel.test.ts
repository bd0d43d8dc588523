import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { celErrorMessage, compileCondition, createConditionContext, maximumConditionLength } from './policy-cel.js';

const subject: Principal = {
  type: 'user',
  id: 'u1',
  accountId: 'acc',
  name: 'Ada',
  role: 'admin',
  userId: 'u1',
  apiKeyId: null,
  agentId: null,
  runtimeSessionId: 'rs1',
  teamIds: ['platform'],
  scopes: [],
};

function evaluate(expression: string, args: unknown = {}, time = Date.UTC(2025, 0, 11, 22, 30)): unknown {
  const compiled = compileCondition(expression);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.condition.evaluate(
    createConditionContext(subject, { name: 'github.merge', server: 'github', readOnly: false }, args, time),
  );
}

describe('createConditionContext', () => {
  it('exposes the documented variables', () => {
    const context = createConditionContext(subject, { name: 't', server: null, readOnly: true }, { a: 1 }, Date.UTC(2025, 0, 11, 22, 30));
    expect(context).toEqual({
      args: { a: 1 },
      tool: { name: 't', server: null, readOnly: true },
      subject: { type: 'user', id: 'u1', name: 'Ada', role: 'admin', userId: 'u1', agentId: null, apiKeyId: null, teamIds: ['platform'] },
      session: { id: 'rs1', tainted: false },
      time: { now: new Date(Date.UTC(2025, 0, 11, 22, 30)), hour: 22n, minute: 30n, weekday: 6n },
    });
  });
});

describe('compileCondition', () => {
  it('evaluates conditions over every variable', () => {
    expect(evaluate('subject.role == "admin" && "platform" in subject.teamIds')).toBe(true);
    expect(evaluate('subject.apiKeyId == null && subject.userId == "u1" && subject.type == "user"')).toBe(true);
    expect(evaluate('tool.name.startsWith("github.") && tool.server == "github" && !tool.readOnly')).toBe(true);
    expect(evaluate('session.id == "rs1"')).toBe(true);
    expect(evaluate('time.weekday == 6 && time.hour == 22 && time.minute == 30')).toBe(true);
    expect(evaluate('time.now > timestamp("2025-01-01T00:00:00Z")')).toBe(true);
    expect(evaluate('time.now.getHours("Europe/Berlin") == 23')).toBe(true);
  });

  it('treats JSON numbers as doubles that compare with int literals', () => {
    expect(evaluate('args.count > 5', { count: 7 })).toBe(true);
    expect(evaluate('args.count in [1, 7]', { count: 7 })).toBe(true);
    expect(evaluate('args.count + 1.0 == 8.0', { count: 7 })).toBe(true);
    expect(evaluate('int(args.count) + 1 == 8', { count: 7 })).toBe(true);
    expect(() => evaluate('args.count + 1 == 8', { count: 7 })).toThrow(/no such overload/);
  });

  it('supports macros and has() over args', () => {
    expect(evaluate('args.labels.exists(l, l == "urgent")', { labels: ['x', 'urgent'] })).toBe(true);
    expect(evaluate('has(args.branch) && args.branch.matches("^release/")', {})).toBe(false);
    expect(() => evaluate('args.branch == "main"', {})).toThrow(/No such key: branch/);
  });

  it('never reads inherited properties of args', () => {
    expect(() => evaluate('args.constructor == null', {})).toThrow(/No such key/);
    expect(evaluate('has(args.toString)', {})).toBe(false);
  });

  it('rejects invalid conditions with a one-line message', () => {
    expect(compileCondition('1 +')).toEqual({ ok: false, message: 'Unexpected token: EOF (column 4)' });
    expect(compileCondition('user.id == "x"')).toMatchObject({ ok: false, message: expect.stringContaining('Unknown variable: user') });
    expect(compileCondition('subject.nmae == "x"')).toMatchObject({ ok: false });
    expect(compileCondition('"text"')).toEqual({ ok: false, message: 'must evaluate to a bool, but evaluates to string' });
    expect(compileCondition('x'.repeat(maximumConditionLength + 1))).toMatchObject({
      ok: false,
      message: expect.stringContaining('longer than'),
    });
    expect(compileCondition(`${Array.from({ length: 1200 }, () => '1').join('+')} == 1`)).toMatchObject({
      ok: false,
      message: expect.stringContaining('maxAstNodes'),
    });
  });

  it('accepts dyn-typed conditions, which must then return a bool at run time', () => {
    const compiled = compileCondition('args.flag');
    expect(compiled.ok).toBe(true);
  });
});

describe('celErrorMessage', () => {
  it('reduces errors to one line', () => {
    expect(celErrorMessage(new Error('first\nsecond'))).toBe('first');
    expect(celErrorMessage('plain')).toBe('plain');
  });
});
