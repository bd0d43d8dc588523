/**
 * A run's runtime credential lasts its attempt: a flow whose timeout is longer
 * than the kernel's credential TTL (15 min) gets a credential valid until its
 * deadline (plus a minute), since a `command` run's process keeps the one it
 * was started with; it still ends with the execution.
 */
import { definePlugin, runtimeContractVersion, type AgentRuntime } from '@preloop/core';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowsFixture, echoRuntimePlugin, type FlowsFixture } from './test-support/flows-fixture.js';

/** A runtime that answers with its credential's lifetime (exp − iat, from the JWT's payload) and whether it authenticates now. */
function lifetimeRuntime(fixture: () => FlowsFixture): AgentRuntime {
  return {
    id: 'lifetime',
    version: runtimeContractVersion,
    async run(context) {
      const claims = JSON.parse(Buffer.from(context.credential.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };
      const principal = await fixture().preloop.authenticate(
        new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${context.credential}` } }),
      );
      return { status: 'succeeded', output: JSON.stringify({ lifetime: claims.exp - claims.iat, session: principal?.runtimeSessionId }) };
    },
  };
}

describe('a flow run’s runtime credential', () => {
  let fixture: FlowsFixture;
  beforeAll(async () => {
    fixture = await createFlowsFixture(testDialects()[0]!, {
      plugins: [
        echoRuntimePlugin(),
        definePlugin({ id: 'lifetime-runtime', contributions: { runtimes: [lifetimeRuntime(() => fixture)] } }),
      ],
    });
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  const lifetimeFor = async (name: string, timeoutSeconds: number) => {
    const created = await fixture.api('POST', '/flows', { name, prompt: 'x', runtime: { id: 'lifetime' }, timeoutSeconds });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const started = await fixture.service().run(fixture.preloop.accountId, created.body.flow.id, {}, null);
    const done = await fixture.waitFor(started.id, 'succeeded');
    return { ...(JSON.parse(done.result) as { lifetime: number; session: string }), done };
  };

  it('lasts the attempt’s timeout plus a minute when that is longer than the kernel’s TTL, and works', async () => {
    const { lifetime, session, done } = await lifetimeFor('two-hours', 7200);
    expect(lifetime).toBeGreaterThanOrEqual(7200);
    expect(lifetime).toBeLessThanOrEqual(7260);
    expect(session).toBe(done.runtimeSessionId);
  });

  it('keeps the kernel’s TTL for a short timeout, and is capped at 24 h for the longest', async () => {
    expect((await lifetimeFor('short', 60)).lifetime).toBe(900);
    expect((await lifetimeFor('a-day', 86_400)).lifetime).toBe(86_400);
  });
});
