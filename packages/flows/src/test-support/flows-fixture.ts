/**
 * Test support for the flows plugin: a kernel with `flows()` and an admin API
 * key, an `api()` helper over the admin API in-process, and a small `echo`
 * runtime contributed the way any plugin contributes one.
 */
import { definePlugin, runtimeContractVersion, type AgentRuntime, type Preloop, type PreloopPlugin } from '@preloop/core';
import { createTestPreloop, type TestDialect } from '@preloop/core/testing';
import { expect } from 'vitest';
import { flows, type FlowsOptions, type FlowsService } from '../index.js';

/** A runtime that answers with its prompt (and fails when the prompt says "fail"). */
export const echoRuntime: AgentRuntime = {
  id: 'echo',
  version: runtimeContractVersion,
  description: 'Answers with the prompt.',
  async run(context) {
    context.log('stdout', `echo: ${context.prompt}`);
    if (context.prompt.includes('fail')) return { status: 'failed', error: 'asked to fail' };
    return { status: 'succeeded', output: context.prompt };
  },
};

/** A plugin contributing the echo runtime. */
export const echoRuntimePlugin = () => definePlugin({ id: 'echo-runtime', contributions: { runtimes: [echoRuntime] } });

/** A kernel with flows for tests. */
export interface FlowsFixture {
  preloop: Preloop;
  url: string;
  adminKey: string;
  /** The flows service. */
  service(): FlowsService;
  /** Calls the admin API in-process as the admin. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Polls the execution until `status`. */
  waitFor(executionId: string, status: string | string[], timeoutMs?: number): Promise<any>;
  cleanup(): Promise<void>;
}

/**
 * Starts a kernel with `flows()` (and `plugins`) on `dialect`.
 *
 * @example
 * ```ts
 * const fixture = await createFlowsFixture(testDialects()[0]!, { flows: { pollIntervalMs: 50 } });
 * ```
 */
export async function createFlowsFixture(
  dialect: TestDialect,
  options: { flows?: Partial<FlowsOptions>; plugins?: PreloopPlugin[]; policy?: unknown; database?: string } = {},
): Promise<FlowsFixture> {
  const database = options.database
    ? { name: dialect.name, create: async () => ({ url: options.database!, drop: async () => {} }) }
    : dialect;
  const test = await createTestPreloop(database as TestDialect, {
    plugins: [
      ...(options.plugins ?? [echoRuntimePlugin()]),
      flows({ baseUrl: 'http://127.0.0.1:9', pollIntervalMs: 50, scheduleIntervalMs: 0, ...options.flows }),
    ],
    ...(options.policy ? { policy: options.policy as never } : {}),
  });
  const { preloop } = test;
  let adminKey = '';
  if (!options.database) {
    const user = await preloop.identity.users.create(preloop.accountId, {
      email: `admin-${Math.random()}@example.com`,
      name: 'Ada Admin',
      role: 'owner',
    });
    adminKey = (
      await preloop.identity.apiKeys.create(preloop.accountId, { name: 'admin', scopes: ['admin:read', 'admin:write'], userId: user.id })
    ).key;
  }
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await preloop.api(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed as any };
  };
  const waitFor = async (executionId: string, status: string | string[], timeoutMs = 10_000) => {
    const wanted = Array.isArray(status) ? status : [status];
    let last: any = null;
    await expect
      .poll(
        async () => {
          last = (await api('GET', `/executions/${executionId}`)).body;
          return wanted.includes(last?.status);
        },
        { timeout: timeoutMs, interval: 25 },
      )
      .toBe(true);
    return last;
  };
  return { preloop, url: test.url, adminKey, api, waitFor, service: () => preloop.service('flows'), cleanup: test.cleanup };
}
