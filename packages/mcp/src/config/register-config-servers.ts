import type { AuditRecordInput, Preloop } from '@preloop/core';
import { redactString } from '@preloop/core/internal';
import type { McpServerInput, McpServerPatch, McpServerRecord, McpServerTrust } from '../store/server-schema.js';
import type { ScanToolOutcome } from '../store/tool-store.js';

/**
 * The settings a config entry may state besides its transport; each one the
 * entry leaves out keeps its stored value (the default for a new server), so an
 * admin's change through the API survives a restart unless the file states it.
 */
export interface ConfigMcpServerSettings {
  /** @default true */
  namespaced?: boolean;
  /** @default true */
  trustOnFirstUse?: boolean;
  /** @default true */
  enabled?: boolean;
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 'trusted' */
  trust?: McpServerTrust;
}

/** An `mcpServers` entry of the reference server's config file. */
export type ConfigMcpServer = ConfigMcpServerSettings &
  (
    | { name: string; transport: 'http'; url: string; headers?: Record<string, string> }
    | { name: string; transport: 'stdio'; command: string; args?: string[]; env?: Record<string, string> }
  );

const settingKeys = ['namespaced', 'trustOnFirstUse', 'enabled', 'timeoutMs', 'trust'] as const;

/** The settings `entry` states that differ from `existing`. */
function changedSettings(existing: McpServerRecord, entry: ConfigMcpServer): McpServerPatch {
  const patch: Record<string, unknown> = {};
  for (const key of settingKeys) if (entry[key] !== undefined && entry[key] !== existing[key]) patch[key] = entry[key];
  return patch as McpServerPatch;
}

/** What registering one config entry did. */
export interface ConfigServerResult {
  name: string;
  change: 'created' | 'updated' | 'unchanged';
  /** The scan's summary, or why it failed (a failed scan never stops the others). */
  scan: { tools: number; pinned: number; pending: number; quarantined: number } | { error: string } | null;
}

/** Options of {@link registerConfigServers}. */
export interface RegisterConfigServersOptions {
  /** @default preloop.accountId */
  accountId?: string;
  /** `changed` scans servers that were created, changed or never scanned successfully; `always` scans all; `never` none. @default 'changed' */
  scan?: 'changed' | 'always' | 'never';
  /** Who the audit trail names. @default { type: 'system', name: 'PRELOOP_CONFIG' } */
  actor?: AuditRecordInput['actor'];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function withoutUnset<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

async function differs(preloop: Preloop, existing: McpServerRecord, entry: ConfigMcpServer): Promise<boolean> {
  const runtime = preloop.service('mcp');
  if (existing.transport !== entry.transport || Object.keys(changedSettings(existing, entry)).length > 0) return true;
  const credentials = await runtime.servers.credentials(existing);
  if (entry.transport === 'http') return existing.url !== entry.url || !sameJson(credentials.headers, entry.headers ?? {});
  return existing.command !== entry.command || !sameJson(existing.args, entry.args ?? []) || !sameJson(credentials.env, entry.env ?? {});
}

function summarize(outcomes: ScanToolOutcome[]): ConfigServerResult['scan'] {
  const count = (status: string) => outcomes.filter((outcome) => outcome.status === status).length;
  return {
    tools: outcomes.filter((outcome) => outcome.status !== 'removed').length,
    pinned: count('pinned'),
    pending: count('pending'),
    quarantined: count('quarantined'),
  };
}

/**
 * Registers the config file's upstream MCP servers, idempotently: a server
 * already registered with the same settings and credentials is left alone
 * (settings the entry does not state — `namespaced`, `trustOnFirstUse`,
 * `enabled`, `timeoutMs`, `trust` — keep their stored values), a
 * changed one is updated (credentials are compared decrypted, stored
 * encrypted), a new one is created; then servers that changed (or were never
 * scanned) are scanned. The config file is an operator's decision, so these
 * scans may pin new, unflagged tools (trust on first use); a tool whose
 * definition changed since it was pinned stays quarantined until an admin
 * re-approves it. Servers missing from the file are left as they are.
 *
 * @example
 * ```ts
 * const results = await registerConfigServers(preloop, config.mcpServers);
 * for (const result of results) logger.info(`mcp server ${result.name}: ${result.change}`);
 * ```
 */
export async function registerConfigServers(
  preloop: Preloop,
  entries: readonly ConfigMcpServer[],
  options: RegisterConfigServersOptions = {},
): Promise<ConfigServerResult[]> {
  const runtime = preloop.service('mcp');
  const accountId = options.accountId ?? preloop.accountId;
  const actor = options.actor ?? { type: 'system' as const, name: 'PRELOOP_CONFIG' };
  const results: ConfigServerResult[] = [];
  for (const entry of entries) {
    const existing = await runtime.servers.findByName(accountId, entry.name);
    let server: McpServerRecord;
    let change: ConfigServerResult['change'];
    if (!existing) {
      server = await runtime.servers.create(accountId, entry as McpServerInput, actor, 'config');
      change = 'created';
    } else if (await differs(preloop, existing, entry)) {
      if (existing.transport !== entry.transport) {
        await runtime.servers.remove(accountId, existing.id, actor);
        await runtime.upstreams.disconnect(existing.id);
        const kept = Object.fromEntries(settingKeys.map((key) => [key, existing[key]]));
        server = await runtime.servers.create(accountId, { ...kept, ...withoutUnset(entry) } as McpServerInput, actor, 'config');
      } else {
        const connection =
          entry.transport === 'http'
            ? { url: entry.url, headers: entry.headers ?? {} }
            : { command: entry.command, args: entry.args ?? [], env: entry.env ?? {} };
        const patch: McpServerPatch = { ...connection, ...changedSettings(existing, entry) };
        server = await runtime.servers.update(accountId, existing.id, patch, actor);
        await runtime.upstreams.disconnect(existing.id);
      }
      change = 'updated';
    } else {
      server = existing;
      change = 'unchanged';
    }
    const mode = options.scan ?? 'changed';
    const shouldScan = server.enabled && (mode === 'always' || (mode === 'changed' && (change !== 'unchanged' || server.status !== 'ok')));
    let scan: ConfigServerResult['scan'] = null;
    if (shouldScan) {
      try {
        scan = summarize((await runtime.upstreams.scan(server, { trigger: 'admin', actor })).tools);
      } catch (error) {
        scan = { error: redactString((error as Error)?.message ?? String(error)).slice(0, 500) };
        preloop.logger.warn(`mcp: could not scan "${server.name}" from the config file`, { error });
      }
    }
    results.push({ name: entry.name, change, scan });
  }
  if (results.some((result) => result.change !== 'unchanged')) {
    // Scans re-check every pinned tool; a changed server that was not scanned (disabled) still renames what others may shadow.
    await runtime.tools.recheck(accountId, actor);
    await runtime.announce({ accountId, kind: 'tools' });
  }
  return results;
}
