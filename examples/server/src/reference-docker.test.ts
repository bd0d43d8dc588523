/**
 * The reference server's `plugins.docker` (off by default): with it, a flow on
 * the `container` runtime runs through the flows runner in a container of a
 * stand-in Docker Engine API, given the execution's runtime credential and
 * the gateway and MCP URLs rebased on `baseUrl`.
 */
import { createLogger } from '@preloop/core';
import { createTestPreloop, testDialects } from '@preloop/core/testing';
import type { FlowsService } from '@preloop/flows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDocker, type FakeDocker } from '../../../packages/plugins/docker/src/fake-docker-test-support.js';
import { configFileSchema } from './config/config-schema.js';
import { referencePlugins } from './plugins.js';

const silent = createLogger({ level: 'silent' });
let engine: FakeDocker;
beforeAll(async () => {
  engine = await startFakeDocker({ images: ['stub/agent:1'] });
});
afterAll(async () => {
  await engine.close();
});

const containerFlow = {
  name: 'in-a-container',
  enabled: true,
  prompt: 'Say hi',
  runtime: { id: 'container', options: { image: 'stub/agent:1', command: ['say', 'hi from the container'] } },
};

describe('reference server plugins.docker', () => {
  it('runs a container flow with the runtime credential and the rebased gateway and MCP URLs', async () => {
    const config = configFileSchema.parse({
      plugins: { docker: { socketPath: engine.socketPath, baseUrl: 'http://host.docker.internal:8787' } },
    });
    const test = await createTestPreloop(testDialects()[0]!, {
      plugins: referencePlugins(config, 'http://127.0.0.1:8787', {}),
      logger: silent,
    });
    try {
      const { preloop } = test;
      const flows = preloop.service('flows') as FlowsService;
      const { flow } = await flows.createFlow(preloop.accountId, containerFlow as never);
      const started = await flows.run(preloop.accountId, flow.id, {}, null);
      let execution = await flows.getExecution(preloop.accountId, started.id);
      await expect
        .poll(async () => (execution = await flows.getExecution(preloop.accountId, started.id)).status, { timeout: 8000, interval: 50 })
        .toBe('succeeded');
      expect(execution.result).toBe('hi from the container');
      const create = engine.requests.find((request) => request.path === '/containers/create')!;
      const env = Object.fromEntries((create.body as { Env: string[] }).Env.map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
      expect(env).toMatchObject({
        OPENAI_BASE_URL: 'http://host.docker.internal:8787/openai/v1',
        PRELOOP_MCP_URL: 'http://host.docker.internal:8787/mcp',
        PRELOOP_EXECUTION_ID: started.id,
        PRELOOP_PROMPT: 'Say hi',
      });
      expect(env.OPENAI_API_KEY).toBeTruthy();
      expect(env.ANTHROPIC_API_KEY).toBe(env.OPENAI_API_KEY);
      const log = (await flows.readLog(preloop.accountId, started.id)).map((line) => `${line.stream}: ${line.text}`);
      expect(log).toContain('stdout: hi from the container');
      expect(log.join('\n')).not.toContain(env.OPENAI_API_KEY);
    } finally {
      await test.cleanup();
    }
  });

  it('without plugins.docker there is no container runtime', async () => {
    const test = await createTestPreloop(testDialects()[0]!, {
      plugins: referencePlugins(null, 'http://127.0.0.1:8787', {}),
      logger: silent,
    });
    try {
      const flows = test.preloop.service('flows') as FlowsService;
      await expect(flows.createFlow(test.preloop.accountId, containerFlow as never)).rejects.toThrow(/container/);
    } finally {
      await test.cleanup();
    }
  });

  it('refuses a baseUrl that is not a URL, naming the option', () => {
    const parsed = configFileSchema.safeParse({ plugins: { docker: { baseUrl: 'host.docker.internal:8787' } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['plugins', 'docker', 'baseUrl']);
  });
});
