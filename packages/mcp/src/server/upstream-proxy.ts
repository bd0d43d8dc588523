import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import {
  ErrorCode,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@preloop/core';
import type { McpServerRecord } from '../store/server-schema.js';
import type { McpServerStore } from '../store/server-store.js';
import { exposedName } from '../store/tool-store.js';
import type { UpstreamManager } from '../upstream/upstream-manager.js';
import { protocolError, relayUpstreamError } from './protocol-error.js';

/** A session subscribed to resource updates. */
export interface ResourceSubscriber {
  /** Sends `notifications/resources/updated` for `uri` to the session. */
  notify(uri: string): void;
}

/** Resources, resource templates, prompts and completions of an account's upstream servers, merged. */
export interface UpstreamProxy {
  listResources(accountId: string): Promise<Resource[]>;
  listResourceTemplates(accountId: string): Promise<ResourceTemplate[]>;
  /** Reads a resource from the server that lists it (or whose template matches it); -32002 when none does. */
  readResource(accountId: string, uri: string): Promise<ReadResourceResult>;
  subscribe(accountId: string, uri: string, subscriber: ResourceSubscriber): Promise<void>;
  unsubscribe(accountId: string, uri: string, subscriber: ResourceSubscriber): Promise<void>;
  /** Drops every subscription of a closed session. */
  forget(subscriber: ResourceSubscriber): void;
  /** Prompts, named like tools (`<server>.<prompt>` unless the server is not namespaced). */
  listPrompts(accountId: string): Promise<Prompt[]>;
  getPrompt(accountId: string, name: string, args: Record<string, string> | undefined): Promise<GetPromptResult>;
  /** Completes a prompt or resource-template argument on the server that owns it. */
  complete(accountId: string, params: CompleteRequest['params']): Promise<CompleteResult>;
  /** Relays an upstream's resource update to the sessions subscribed to it. */
  resourceUpdated(serverId: string, uri: string): void;
  /** Forgets what is known about an account's resources and prompts (after a `list_changed`). */
  invalidate(accountId: string): void;
}

interface AccountIndex {
  resources: Map<string, McpServerRecord>;
  templates: Array<{ server: McpServerRecord; template: string; matcher: UriTemplate | null }>;
  prompts: Map<string, { server: McpServerRecord; name: string }>;
  loadedAt: number;
}

const resourceNotFound = (uri: string) => protocolError(-32002, `Resource not found: ${uri.slice(0, 500)}`);

async function pages<T>(fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20 && all.length < 5000; page++) {
    const { items, nextCursor } = await fetch(cursor);
    all.push(...items);
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return all;
}

/**
 * Creates the proxy for resources and prompts. Resource URIs keep their
 * upstream form (they are the upstream's identifiers); prompts are namespaced
 * like tools. Servers that fail are left out of lists, not fatal.
 *
 * @example
 * ```ts
 * const proxy = createUpstreamProxy({ servers, upstreams, logger });
 * const { contents } = await proxy.readResource(accountId, 'test://static-text');
 * ```
 */
export function createUpstreamProxy(options: {
  servers: McpServerStore;
  upstreams: UpstreamManager;
  logger: Logger;
  ttlMs?: number;
}): UpstreamProxy {
  const { servers, upstreams, logger } = options;
  const indexes = new Map<string, AccountIndex>();
  const subscriptions = new Map<string, { server: McpServerRecord; uri: string; subscribers: Set<ResourceSubscriber> }>();
  const ttlMs = options.ttlMs ?? 30_000;

  const connected = async (accountId: string, capability: 'resources' | 'prompts' | 'completions') => {
    const enabled = await servers.listEnabled(accountId);
    const clients = await Promise.all(
      enabled.map(async (server) => {
        try {
          const client = await upstreams.primary(server);
          return client.getServerCapabilities()?.[capability] ? { server, client } : null;
        } catch (error) {
          logger.debug(`mcp: upstream "${server.name}" is unavailable`, { error });
          return null;
        }
      }),
    );
    return clients.filter((entry): entry is { server: McpServerRecord; client: Client } => entry !== null);
  };

  const each = async <T>(
    accountId: string,
    capability: 'resources' | 'prompts',
    list: (client: Client, server: McpServerRecord) => Promise<T[]>,
  ): Promise<Array<{ server: McpServerRecord; items: T[] }>> => {
    const results = await Promise.all(
      (await connected(accountId, capability)).map(async ({ server }) => {
        try {
          return { server, items: await upstreams.withPrimary(server, (client) => list(client, server)) };
        } catch (error) {
          logger.debug(`mcp: could not list ${capability} of "${server.name}"`, { error });
          return { server, items: [] as T[] };
        }
      }),
    );
    return results;
  };

  const index = async (accountId: string, fresh = false): Promise<AccountIndex> => {
    const cached = indexes.get(accountId);
    // A miss re-reads the upstreams, but at most every 2 s, so unknown URIs cannot make us flood them.
    if (cached && Date.now() - cached.loadedAt < (fresh ? 2000 : ttlMs)) return cached;
    const built: AccountIndex = { resources: new Map(), templates: [], prompts: new Map(), loadedAt: Date.now() };
    for (const { server, items } of await each(accountId, 'resources', (client) =>
      pages(async (cursor) => {
        const r = await client.listResources(cursor ? { cursor } : undefined);
        return { items: r.resources, nextCursor: r.nextCursor };
      }),
    )) {
      for (const resource of items) if (!built.resources.has(resource.uri)) built.resources.set(resource.uri, server);
    }
    for (const { server, items } of await each(accountId, 'resources', (client) =>
      pages(async (cursor) => {
        const r = await client.listResourceTemplates(cursor ? { cursor } : undefined);
        return { items: r.resourceTemplates, nextCursor: r.nextCursor };
      }),
    )) {
      for (const template of items) {
        let matcher: UriTemplate | null = null;
        try {
          matcher = new UriTemplate(template.uriTemplate);
        } catch {
          matcher = null;
        }
        built.templates.push({ server, template: template.uriTemplate, matcher });
      }
    }
    for (const { server, items } of await each(accountId, 'prompts', (client) =>
      pages(async (cursor) => {
        const r = await client.listPrompts(cursor ? { cursor } : undefined);
        return { items: r.prompts, nextCursor: r.nextCursor };
      }),
    )) {
      for (const prompt of items) {
        const name = exposedName(server, prompt.name);
        if (!built.prompts.has(name)) built.prompts.set(name, { server, name: prompt.name });
      }
    }
    indexes.set(accountId, built);
    return built;
  };

  const ownerOf = async (accountId: string, uri: string): Promise<McpServerRecord> => {
    for (const fresh of [false, true]) {
      const found = await index(accountId, fresh);
      const listed = found.resources.get(uri);
      if (listed) return listed;
      const templated = found.templates.find((entry) => entry.matcher?.match(uri));
      if (templated) return templated.server;
    }
    throw resourceNotFound(uri);
  };

  const promptOf = async (accountId: string, name: string) => {
    for (const fresh of [false, true]) {
      const found = (await index(accountId, fresh)).prompts.get(name);
      if (found) return found;
    }
    throw protocolError(ErrorCode.InvalidParams, `Unknown prompt: ${name.slice(0, 200)}`);
  };

  const proxy: UpstreamProxy = {
    async listResources(accountId) {
      const lists = await each(accountId, 'resources', (client) =>
        pages(async (cursor) => {
          const r = await client.listResources(cursor ? { cursor } : undefined);
          return { items: r.resources, nextCursor: r.nextCursor };
        }),
      );
      const seen = new Set<string>();
      return lists.flatMap(({ items }) => items).filter((resource) => !seen.has(resource.uri) && seen.add(resource.uri));
    },
    async listResourceTemplates(accountId) {
      const lists = await each(accountId, 'resources', (client) =>
        pages(async (cursor) => {
          const r = await client.listResourceTemplates(cursor ? { cursor } : undefined);
          return { items: r.resourceTemplates, nextCursor: r.nextCursor };
        }),
      );
      return lists.flatMap(({ items }) => items);
    },
    async readResource(accountId, uri) {
      const server = await ownerOf(accountId, uri);
      return relayUpstreamError(upstreams.withPrimary(server, (client) => client.readResource({ uri }, { timeout: server.timeoutMs })));
    },
    async subscribe(accountId, uri, subscriber) {
      const server = await ownerOf(accountId, uri);
      const key = `${server.id}\u0000${uri}`;
      let entry = subscriptions.get(key);
      if (!entry) {
        const client = await upstreams.primary(server);
        if (!client.getServerCapabilities()?.resources?.subscribe)
          throw protocolError(ErrorCode.MethodNotFound, `MCP server "${server.name}" does not support resource subscriptions.`);
        await relayUpstreamError(client.subscribeResource({ uri }, { timeout: server.timeoutMs }));
        entry = subscriptions.get(key) ?? { server, uri, subscribers: new Set() };
        subscriptions.set(key, entry);
      }
      entry.subscribers.add(subscriber);
    },
    async unsubscribe(accountId, uri, subscriber) {
      for (const [key, entry] of subscriptions) {
        if (entry.uri !== uri || entry.server.accountId !== accountId || !entry.subscribers.delete(subscriber)) continue;
        if (entry.subscribers.size === 0) {
          subscriptions.delete(key);
          await (await upstreams.primary(entry.server))
            .unsubscribeResource({ uri }, { timeout: entry.server.timeoutMs })
            .catch((error) => logger.debug('mcp: upstream unsubscribe failed', { error }));
        }
      }
    },
    forget(subscriber) {
      for (const entry of subscriptions.values()) {
        if (entry.subscribers.has(subscriber)) void proxy.unsubscribe(entry.server.accountId, entry.uri, subscriber);
      }
    },
    async listPrompts(accountId) {
      const lists = await each(accountId, 'prompts', (client) =>
        pages(async (cursor) => {
          const r = await client.listPrompts(cursor ? { cursor } : undefined);
          return { items: r.prompts, nextCursor: r.nextCursor };
        }),
      );
      const seen = new Set<string>();
      return lists
        .flatMap(({ server, items }) => items.map((prompt) => ({ ...prompt, name: exposedName(server, prompt.name) })))
        .filter((prompt) => !seen.has(prompt.name) && seen.add(prompt.name));
    },
    async getPrompt(accountId, name, args) {
      const prompt = await promptOf(accountId, name);
      return relayUpstreamError(
        upstreams.withPrimary(prompt.server, (client) =>
          client.getPrompt({ name: prompt.name, ...(args ? { arguments: args } : {}) }, { timeout: prompt.server.timeoutMs }),
        ),
      );
    },
    async complete(accountId, params) {
      const empty: CompleteResult = { completion: { values: [], hasMore: false } };
      if (params.ref.type === 'ref/prompt') {
        const prompt = await promptOf(accountId, params.ref.name).catch(() => null);
        if (!prompt) return empty;
        const client = await upstreams.primary(prompt.server);
        if (!client.getServerCapabilities()?.completions) return empty;
        return relayUpstreamError(
          client.complete({ ...params, ref: { type: 'ref/prompt', name: prompt.name } }, { timeout: prompt.server.timeoutMs }),
        );
      }
      const uri = params.ref.uri;
      const found = (await index(accountId)).templates.find((entry) => entry.template === uri) ?? null;
      const server = found?.server ?? (await ownerOf(accountId, uri).catch(() => null));
      if (!server) return empty;
      const client = await upstreams.primary(server);
      if (!client.getServerCapabilities()?.completions) return empty;
      return relayUpstreamError(client.complete(params, { timeout: server.timeoutMs }));
    },
    resourceUpdated(serverId, uri) {
      const entry = subscriptions.get(`${serverId}\u0000${uri}`);
      for (const subscriber of entry?.subscribers ?? []) subscriber.notify(uri);
    },
    invalidate(accountId) {
      indexes.delete(accountId);
    },
  };
  return proxy;
}
