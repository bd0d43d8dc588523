import { describe, expect, it } from 'vitest';
import type { ModelProvider } from '../contracts/model-provider.js';
import type { Notifier } from '../contracts/notifier.js';
import type { Tracker } from '../contracts/tracker.js';
import { isPreloopError, type PreloopError } from '../errors.js';
import { createPreloop } from '../kernel/create-preloop.js';
import { createLogger } from '../logger.js';
import { definePlugin, type PreloopPlugin } from './define-plugin.js';

const notifier: Notifier = { id: 'chat', version: 1, notify: async () => {} };
const provider: ModelProvider = {
  id: 'local',
  version: 1,
  wireFormat: 'openai',
  defaultBaseUrl: 'http://127.0.0.1:11434/v1',
  buildRequest: ({ baseUrl, path }) => ({ url: `${baseUrl}${path}`, headers: {} }),
};

/** Starts a kernel with `plugins` and returns the start-up error (or closes the kernel and returns null). */
async function startUpError(plugins: PreloopPlugin[]): Promise<PreloopError | null> {
  try {
    const preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }), plugins });
    await preloop.close();
    return null;
  } catch (error) {
    if (!isPreloopError(error, 'CONFIGURATION_ERROR')) throw error;
    return error;
  }
}

/** A value a JavaScript host (no type checking) could write. */
const untyped = <T>(value: unknown) => value as T;

describe('plugin contributions are checked at start-up', () => {
  it('starts with contributions that implement their contracts', async () => {
    expect(
      await startUpError([
        definePlugin({ id: 'chat', contributions: { notifiers: [notifier], modelProviders: [provider], trackers: [] } }),
      ]),
    ).toBeNull();
  });

  it('refuses a notifier of another contract version, naming the plugin, the kind, the index and the problem', async () => {
    const error = await startUpError([
      definePlugin({ id: 'slack', contributions: { notifiers: [notifier, untyped<Notifier>({ version: 2 })] } }),
    ]);
    expect(error?.message).toBe(
      'plugins: "slack" contributions.notifiers[1] is not a version 1 notifier: "id" must be a non-empty string (got nothing); "version" must be 1 (got 2); "notify" must be a function.',
    );
    expect(error?.details).toMatchObject({ plugin: 'slack', kind: 'notifiers', index: 1 });
  });

  it('refuses a notifier with an unknown audience', async () => {
    const error = await startUpError([
      definePlugin({ id: 'feed', contributions: { notifiers: [{ ...notifier, audience: untyped<'channel'>('room') }] } }),
    ]);
    expect(error?.message).toContain(
      'contributions.notifiers[0] is not a version 1 notifier: "audience" must be "approvers" or "channel" (got "room")',
    );
  });

  it('refuses a model provider that does not implement the contract', async () => {
    const error = await startUpError([
      definePlugin({ id: 'ollama', contributions: { modelProviders: [{ ...provider, wireFormat: untyped<'openai'>('ollama') }] } }),
    ]);
    expect(error?.message).toBe(
      'plugins: "ollama" contributions.modelProviders[0] is not a version 1 model provider: "wireFormat" must be "openai", "anthropic" or "gemini" (got "ollama").',
    );
    const missing = await startUpError([
      definePlugin({ id: 'bare', contributions: { modelProviders: [untyped<ModelProvider>('openai')] } }),
    ]);
    expect(missing?.message).toContain('"bare" contributions.modelProviders[0] is not a version 1 model provider: must be an object');
  });

  it('refuses a tracker that does not implement the contract', async () => {
    const error = await startUpError([
      definePlugin({
        id: 'tracker',
        contributions: {
          trackers: [untyped<Tracker>({ id: 'github', version: 1, displayName: 'GitHub', pullRequests: 'yes', webhooks: { verify() {} } })],
        },
      }),
    ]);
    expect(error?.message).toBe(
      'plugins: "tracker" contributions.trackers[0] is not a version 1 tracker: "settingsSchema" must be a zod schema (got nothing); "secretsSchema" must be a zod schema (got nothing); "pullRequests" must be a boolean (got "yes"); "connect" must be a function; "webhooks.deliveryId" must be a function; "webhooks.parse" must be a function.',
    );
  });

  it('refuses two contributions of one kind with one id, naming both plugins', async () => {
    const error = await startUpError([
      definePlugin({ id: 'first', contributions: { notifiers: [notifier] } }),
      definePlugin({ id: 'second', contributions: { notifiers: [{ ...notifier }] } }),
    ]);
    expect(error?.message).toBe(
      'plugins: "second" contributions.notifiers[0]: plugin "first" already contributes a notifier with the id "chat"; ids must be unique.',
    );
  });

  it('refuses a kind that is not an array, and a kind that does not exist', async () => {
    expect((await startUpError([definePlugin({ id: 'one', contributions: { notifiers: untyped<Notifier[]>(notifier) } })]))?.message).toBe(
      'plugins: "one" contributions.notifiers must be an array, not an object.',
    );
    expect((await startUpError([definePlugin({ id: 'typo', contributions: untyped<object>({ notifier: [notifier] }) })]))?.message).toBe(
      'plugins: "typo" contributions.notifier is not a contribution kind; use modelProviders, notifiers, trackers, runtimes.',
    );
  });
});
