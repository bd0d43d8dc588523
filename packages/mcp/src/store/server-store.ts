import { createId, PreloopError, type AuditRecordInput, type Preloop } from '@preloop/core';
import { parseJsonColumn } from '@preloop/core/internal';
import {
  mcpServerInputSchema,
  mcpServerPatchSchema,
  type McpServerCredentials,
  type McpServerInput,
  type McpServerPatch,
  type McpServerRecord,
} from './server-schema.js';
import type { Selectable } from 'kysely';
import type { McpTables } from './mcp-tables.js';

type Actor = AuditRecordInput['actor'];

/** The default timeout of one upstream request, in ms. */
export const defaultUpstreamTimeoutMs = 60_000;

type ServerRow = Selectable<McpTables['mcp_servers']>;

function toRecord(row: ServerRow): McpServerRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    transport: row.transport as McpServerRecord['transport'],
    url: row.url,
    command: row.command,
    args: parseJsonColumn<string[]>(row.args, []),
    headerNames: parseJsonColumn<string[]>(row.header_names, []),
    envNames: parseJsonColumn<string[]>(row.env_names, []),
    namespaced: Number(row.namespaced) === 1,
    trustOnFirstUse: Number(row.trust_on_first_use) === 1,
    enabled: Number(row.enabled) === 1,
    timeoutMs: Number(row.timeout_ms),
    trust: row.trust === 'untrusted' ? 'untrusted' : 'trusted',
    source: row.source as McpServerRecord['source'],
    status: row.status as McpServerRecord['status'],
    lastError: row.last_error,
    lastScanAt: row.last_scan_at === null ? null : Number(row.last_scan_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The secret that holds a server's headers and environment. */
function secretName(serverId: string): string {
  return `mcp-server/${serverId}/credentials`;
}

function validationError(error: { issues: { path: PropertyKey[]; message: string }[] }, what: string): PreloopError {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = issues[0]!;
  return new PreloopError('VALIDATION_ERROR', `${what}: ${first.path ? `${first.path}: ` : ''}${first.message}`, { details: { issues } });
}

/** Upstream MCP servers of each account, with their credentials in the secret store. */
export interface McpServerStore {
  /** Registers a server; a name already used in the account is a 409. */
  create(accountId: string, input: McpServerInput, actor: Actor, source?: 'api' | 'config'): Promise<McpServerRecord>;
  /** Changes a server; `headers`/`env` replace the stored credentials. */
  update(accountId: string, id: string, patch: McpServerPatch, actor: Actor): Promise<McpServerRecord>;
  /** Removes a server, its tools and its credentials. */
  remove(accountId: string, id: string, actor: Actor): Promise<void>;
  /** The server, or a 404. */
  get(accountId: string, id: string): Promise<McpServerRecord>;
  /** The server named `name`, or null. */
  findByName(accountId: string, name: string): Promise<McpServerRecord | null>;
  /** The account's servers, by name. */
  list(accountId: string): Promise<McpServerRecord[]>;
  /** Every enabled server of every account (connections are made lazily). */
  listEnabled(accountId: string): Promise<McpServerRecord[]>;
  /** The server's headers and environment, decrypted. */
  credentials(server: McpServerRecord): Promise<McpServerCredentials>;
  /** Records the outcome of a scan. */
  setScanState(id: string, status: 'ok' | 'error', error: string | null): Promise<void>;
}

/**
 * Creates the server store over the kernel's database, secret store and audit trail.
 *
 * @example
 * ```ts
 * const servers = createMcpServerStore(preloop);
 * await servers.create(preloop.accountId, { name: 'github', transport: 'http', url: 'https://…' }, actor);
 * ```
 */
export function createMcpServerStore(preloop: Preloop): McpServerStore {
  const db = preloop.db.withTables<McpTables>();
  const read = async (accountId: string, id: string) =>
    (await db.selectFrom('mcp_servers').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst()) as
      | ServerRow
      | undefined;

  async function storeCredentials(accountId: string, id: string, credentials: McpServerCredentials): Promise<void> {
    if (Object.keys(credentials.headers).length === 0 && Object.keys(credentials.env).length === 0) {
      await preloop.secrets.delete(accountId, secretName(id));
      return;
    }
    await preloop.secrets.set(accountId, secretName(id), JSON.stringify(credentials));
  }

  const store: McpServerStore = {
    async create(accountId, input, actor, source = 'api') {
      const parsed = mcpServerInputSchema.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error, 'Invalid MCP server');
      const value = parsed.data;
      if (await store.findByName(accountId, value.name))
        throw new PreloopError('CONFLICT', `An MCP server named "${value.name}" already exists.`);
      const now = Date.now();
      const headers = value.transport === 'http' ? (value.headers ?? {}) : {};
      const env = value.transport === 'stdio' ? (value.env ?? {}) : {};
      const row: ServerRow = {
        id: createId('mcps'),
        account_id: accountId,
        name: value.name,
        transport: value.transport,
        url: value.transport === 'http' ? value.url : null,
        command: value.transport === 'stdio' ? value.command : null,
        args: JSON.stringify(value.transport === 'stdio' ? (value.args ?? []) : []),
        header_names: JSON.stringify(Object.keys(headers)),
        env_names: JSON.stringify(Object.keys(env)),
        namespaced: value.namespaced === false ? 0 : 1,
        trust_on_first_use: value.trustOnFirstUse === false ? 0 : 1,
        enabled: value.enabled === false ? 0 : 1,
        timeout_ms: value.timeoutMs ?? defaultUpstreamTimeoutMs,
        trust: value.trust ?? 'trusted',
        source,
        status: 'new',
        last_error: null,
        last_scan_at: null,
        created_at: now,
        updated_at: now,
      };
      await storeCredentials(accountId, row.id, { headers, env });
      try {
        await db.insertInto('mcp_servers').values(row).execute();
      } catch (error) {
        await preloop.secrets.delete(accountId, secretName(row.id)).catch(() => false);
        if (await store.findByName(accountId, value.name))
          throw new PreloopError('CONFLICT', `An MCP server named "${value.name}" already exists.`);
        throw error;
      }
      const record = toRecord(row);
      await preloop.audit.record({
        accountId,
        actor,
        action: 'mcp.server.create',
        target: { type: 'mcp_server', id: record.id },
        outcome: 'success',
        data: describe(record),
      });
      return record;
    },

    async update(accountId, id, patch, actor) {
      const parsed = mcpServerPatchSchema.safeParse(patch);
      if (!parsed.success) throw validationError(parsed.error, 'Invalid MCP server change');
      const value = parsed.data;
      const current = await store.get(accountId, id);
      const http = current.transport === 'http';
      if (
        (http && (value.command !== undefined || value.args !== undefined || value.env !== undefined)) ||
        (!http && (value.url !== undefined || value.headers !== undefined))
      ) {
        throw new PreloopError(
          'VALIDATION_ERROR',
          `Invalid MCP server change: a ${current.transport} server takes ${http ? 'url and headers' : 'command, args and env'}.`,
        );
      }
      if (value.name !== undefined && value.name !== current.name && (await store.findByName(accountId, value.name))) {
        throw new PreloopError('CONFLICT', `An MCP server named "${value.name}" already exists.`);
      }
      const changes: Partial<ServerRow> = { updated_at: Date.now() };
      if (value.name !== undefined) changes.name = value.name;
      if (value.url !== undefined) changes.url = value.url;
      if (value.command !== undefined) changes.command = value.command;
      if (value.args !== undefined) changes.args = JSON.stringify(value.args);
      if (value.namespaced !== undefined) changes.namespaced = value.namespaced ? 1 : 0;
      if (value.trustOnFirstUse !== undefined) changes.trust_on_first_use = value.trustOnFirstUse ? 1 : 0;
      if (value.enabled !== undefined) changes.enabled = value.enabled ? 1 : 0;
      if (value.timeoutMs !== undefined) changes.timeout_ms = value.timeoutMs;
      if (value.trust !== undefined) changes.trust = value.trust;
      if (value.headers !== undefined || value.env !== undefined) {
        const credentials = await store.credentials(current);
        if (value.headers !== undefined) credentials.headers = value.headers;
        if (value.env !== undefined) credentials.env = value.env;
        await storeCredentials(accountId, id, credentials);
        changes.header_names = JSON.stringify(Object.keys(credentials.headers));
        changes.env_names = JSON.stringify(Object.keys(credentials.env));
      }
      await db.updateTable('mcp_servers').set(changes).where('account_id', '=', accountId).where('id', '=', id).execute();
      const record = await store.get(accountId, id);
      const changed = Object.keys(value).filter((key) => key !== 'headers' && key !== 'env');
      if (value.headers !== undefined) changed.push('headers');
      if (value.env !== undefined) changed.push('env');
      await preloop.audit.record({
        accountId,
        actor,
        action: 'mcp.server.update',
        target: { type: 'mcp_server', id },
        outcome: 'success',
        data: { changed, server: describe(record) },
      });
      return record;
    },

    async remove(accountId, id, actor) {
      const current = await store.get(accountId, id);
      await db.deleteFrom('mcp_tools').where('account_id', '=', accountId).where('server_id', '=', id).execute();
      await db.deleteFrom('mcp_servers').where('account_id', '=', accountId).where('id', '=', id).execute();
      await preloop.secrets.delete(accountId, secretName(id));
      await preloop.audit.record({
        accountId,
        actor,
        action: 'mcp.server.delete',
        target: { type: 'mcp_server', id },
        outcome: 'success',
        data: describe(current),
      });
    },

    async get(accountId, id) {
      const row = await read(accountId, id);
      if (!row) throw new PreloopError('NOT_FOUND', `No MCP server with id "${id}".`);
      return toRecord(row);
    },

    async findByName(accountId, name) {
      const row = (await db
        .selectFrom('mcp_servers')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst()) as ServerRow | undefined;
      return row ? toRecord(row) : null;
    },

    async list(accountId) {
      const rows = (await db
        .selectFrom('mcp_servers')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('name')
        .execute()) as ServerRow[];
      return rows.map(toRecord);
    },

    async listEnabled(accountId) {
      return (await store.list(accountId)).filter((server) => server.enabled);
    },

    async credentials(server) {
      if (server.headerNames.length === 0 && server.envNames.length === 0) return { headers: {}, env: {} };
      const stored = JSON.parse(await preloop.secrets.get(server.accountId, secretName(server.id))) as Partial<McpServerCredentials>;
      return { headers: { ...(stored.headers ?? {}) }, env: { ...(stored.env ?? {}) } };
    },

    async setScanState(id, status, error) {
      const now = Date.now();
      await db
        .updateTable('mcp_servers')
        .set({ status, last_error: error === null ? null : error.slice(0, 2000), last_scan_at: now })
        .where('id', '=', id)
        .execute();
    },
  };
  return store;
}

/** What audit records and logs say about a server: never credential values. */
export function describe(server: McpServerRecord): Record<string, unknown> {
  return {
    name: server.name,
    transport: server.transport,
    url: server.url,
    command: server.command,
    args: server.args,
    headerNames: server.headerNames,
    envNames: server.envNames,
    namespaced: server.namespaced,
    trustOnFirstUse: server.trustOnFirstUse,
    enabled: server.enabled,
    timeoutMs: server.timeoutMs,
    trust: server.trust,
    source: server.source,
  };
}
