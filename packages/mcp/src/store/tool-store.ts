import { createId, PreloopError, type AuditRecordInput, type Preloop } from '@preloop/core';
import { parseJsonColumn } from '@preloop/core/internal';
import { diffDefinitions, type DefinitionDiff, type ToolDefinition } from '../pinning/tool-definition.js';
import { reviewFlags, unacceptedFlags } from '../pinning/flag-review.js';
import type { ToolFlag } from '../pinning/poisoning.js';
import type { McpServerRecord } from './server-schema.js';
import type { Selectable } from 'kysely';
import type { McpTables } from './mcp-tables.js';

type Actor = AuditRecordInput['actor'];

/**
 * The pin state of an upstream tool:
 * - `pinned`: its live definition is the approved one; listed and callable;
 * - `pending`: never approved (flagged, first seen by an automatic scan, or the server does not trust on first use);
 * - `quarantined`: approved once, then changed upstream or flagged (for example it now mentions
 *   another server's tool); hidden and refused until re-approved;
 * - `removed`: the upstream no longer offers it;
 * - `invalid`: its name or definition cannot be accepted at all.
 */
export type ToolPinStatus = 'pinned' | 'pending' | 'quarantined' | 'removed' | 'invalid';

/**
 * Why a tool is quarantined: `changed` (its definition differs from the pin;
 * a revert restores it) or `flagged` (a heuristic flagged it and no admin
 * accepted that flag; only an admin's approval restores it).
 */
export type QuarantineReason = 'changed' | 'flagged';

/** An upstream tool as stored, with its live and pinned definitions. */
export interface UpstreamToolRecord {
  id: string;
  accountId: string;
  serverId: string;
  serverName: string;
  /** The tool's name upstream. */
  name: string;
  /** The name agents see: `<server>.<tool>`, or the upstream name for a server that is not namespaced. */
  exposedName: string;
  status: ToolPinStatus;
  flags: ToolFlag[];
  /** The flags an admin saw and accepted when approving the pin; any other flag quarantines the tool. */
  acceptedFlags: ToolFlag[];
  /** Why it is quarantined, when it is. */
  quarantineReason: QuarantineReason | null;
  liveDefinition: ToolDefinition;
  liveHash: string;
  pinnedDefinition: ToolDefinition | null;
  pinnedHash: string | null;
  pinnedAt: number | null;
  /** Who pinned it: `trust-on-first-use` or the approving principal's id. */
  pinnedBy: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  /** When the live definition last changed. */
  changedAt: number | null;
}

type ToolRow = Selectable<McpTables['mcp_tools']>;

/** The name agents see for an upstream tool or prompt of `server`. */
export function exposedName(server: Pick<McpServerRecord, 'name' | 'namespaced'>, name: string): string {
  return server.namespaced ? `${server.name}.${name}` : name;
}

function toRecord(row: ToolRow, server: Pick<McpServerRecord, 'name' | 'namespaced'>): UpstreamToolRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    serverId: row.server_id,
    serverName: server.name,
    name: row.name,
    exposedName: exposedName(server, row.name),
    status: row.status as ToolPinStatus,
    flags: parseJsonColumn<ToolFlag[]>(row.flags, []),
    acceptedFlags: parseJsonColumn<ToolFlag[]>(row.accepted_flags, []),
    quarantineReason: row.status === 'quarantined' ? ((row.quarantine_reason as QuarantineReason | null) ?? 'changed') : null,
    liveDefinition: parseJsonColumn<ToolDefinition>(row.live_definition, { name: row.name, inputSchema: {} }),
    liveHash: row.live_hash,
    pinnedDefinition: row.pinned_definition === null ? null : parseJsonColumn<ToolDefinition | null>(row.pinned_definition, null),
    pinnedHash: row.pinned_hash,
    pinnedAt: row.pinned_at === null ? null : Number(row.pinned_at),
    pinnedBy: row.pinned_by,
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    changedAt: row.changed_at === null ? null : Number(row.changed_at),
  };
}

/** A live tool as a scan found it. */
export interface ScannedTool {
  definition: ToolDefinition;
  hash: string;
  flags: ToolFlag[];
  /** Why the tool cannot be accepted at all, if so. */
  problem: string | null;
}

/** What a scan did to one tool. */
export interface ScanToolOutcome {
  name: string;
  exposedName: string;
  status: ToolPinStatus;
  /** `new`, `unchanged`, `changed` (live definition differs from before), `removed` or `restored`. */
  change: 'new' | 'unchanged' | 'changed' | 'removed' | 'restored';
  flags: ToolFlag[];
  hash: string;
  problem?: string;
}

/** Upstream tools and their pins. */
export interface McpToolStore {
  /** The account's upstream tools (all statuses). */
  list(accountId: string): Promise<UpstreamToolRecord[]>;
  /** The tool agents know as `exposedName`, or null. */
  find(accountId: string, exposedName: string): Promise<UpstreamToolRecord | null>;
  /**
   * Applies a scan of `server`: new tools are pinned (trust on first use, only
   * when `trust` and nothing flagged them) or left pending; a pinned tool whose
   * definition changed is quarantined and the diff audited; a quarantined tool
   * that returns to its pinned definition is pinned again; missing tools are removed.
   */
  applyScan(server: McpServerRecord, tools: readonly ScannedTool[], options: { trust: boolean; actor: Actor }): Promise<ScanToolOutcome[]>;
  /**
   * Re-derives the flags of every tool of the account against the other
   * servers' current tools, and quarantines each pinned tool that now carries
   * a flag no admin accepted (audited as `mcp.tool.quarantine`, reason
   * `flagged`). Runs after every scan that finds new tool names and after a
   * server changes (name, namespacing, connection), so the
   * order in which servers were registered does not matter. Returns the
   * exposed names it quarantined.
   */
  recheck(accountId: string, actor: Actor): Promise<string[]>;
  /** Approves the live definition of a pending or quarantined tool, if it still has `expectedHash`; its current flags become accepted. */
  approvePin(accountId: string, exposedName: string, expectedHash: string, actor: Actor, comment?: string): Promise<UpstreamToolRecord>;
}

function actorId(actor: Actor): string {
  return 'id' in actor && actor.id ? String(actor.id) : actor.type;
}

/**
 * Creates the tool store.
 *
 * @example
 * ```ts
 * const tools = createMcpToolStore(preloop, servers);
 * const outcomes = await tools.applyScan(server, scanned, { trust: true, actor });
 * ```
 */
export function createMcpToolStore(
  preloop: Preloop,
  servers: { list(accountId: string): Promise<McpServerRecord[]> },
  options: {
    /** Called when a re-check quarantined tools of the account (the catalog must be re-read). */ onQuarantine?: (
      accountId: string,
    ) => void;
  } = {},
): McpToolStore {
  const db = preloop.db.withTables<McpTables>();

  async function quarantineRecord(
    server: Pick<McpServerRecord, 'accountId' | 'name' | 'namespaced'>,
    row: Pick<ToolRow, 'name' | 'pinned_definition' | 'pinned_hash' | 'accepted_flags'>,
    live: Pick<ScannedTool, 'definition' | 'hash' | 'flags'>,
    actor: Actor,
    reason: QuarantineReason,
  ): Promise<void> {
    const pinned = row.pinned_definition === null ? null : (JSON.parse(row.pinned_definition) as ToolDefinition);
    const diff: DefinitionDiff = diffDefinitions(pinned, live.definition);
    await preloop.audit.record({
      accountId: server.accountId,
      actor,
      action: 'mcp.tool.quarantine',
      target: { type: 'mcp_tool', id: exposedName(server, row.name) },
      outcome: 'success',
      data: {
        server: server.name,
        tool: row.name,
        reason,
        pinnedHash: row.pinned_hash,
        liveHash: live.hash,
        flags: live.flags,
        unacceptedFlags: unacceptedFlags(live.flags, parseJsonColumn<ToolFlag[]>(row.accepted_flags, [])),
        changes: diff.changes,
        diff: diff.text,
      },
    });
  }

  const store: McpToolStore = {
    async list(accountId) {
      const byId = new Map((await servers.list(accountId)).map((server) => [server.id, server]));
      const rows = (await db
        .selectFrom('mcp_tools')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('name')
        .execute()) as ToolRow[];
      return rows
        .flatMap((row) => {
          const server = byId.get(row.server_id);
          return server ? [toRecord(row, server)] : [];
        })
        .sort((a, b) => (a.exposedName < b.exposedName ? -1 : a.exposedName > b.exposedName ? 1 : 0));
    },

    async find(accountId, name) {
      const matches = (await store.list(accountId)).filter((tool) => tool.exposedName === name);
      return matches.find((tool) => tool.status === 'pinned') ?? matches[0] ?? null;
    },

    async applyScan(server, tools, { trust, actor }) {
      const now = Date.now();
      const rows = (await db.selectFrom('mcp_tools').selectAll().where('server_id', '=', server.id).execute()) as ToolRow[];
      const existing = new Map(rows.map((row) => [row.name, row]));
      const outcomes: ScanToolOutcome[] = [];
      const seen = new Set<string>();
      for (const live of tools) {
        const name = live.definition.name;
        if (seen.has(name)) continue;
        seen.add(name);
        const row = existing.get(name);
        const invalid = live.problem !== null;
        const pinnable = !invalid && trust && server.trustOnFirstUse && live.flags.length === 0;
        const base = {
          name,
          exposedName: exposedName(server, name),
          flags: live.flags,
          hash: live.hash,
          ...(live.problem ? { problem: live.problem } : {}),
        };
        if (!row) {
          const status: ToolPinStatus = invalid ? 'invalid' : pinnable ? 'pinned' : 'pending';
          await db
            .insertInto('mcp_tools')
            .values({
              id: createId('mcpt'),
              account_id: server.accountId,
              server_id: server.id,
              name,
              status,
              flags: JSON.stringify(live.flags),
              live_definition: JSON.stringify(live.definition),
              live_hash: live.hash,
              pinned_definition: status === 'pinned' ? JSON.stringify(live.definition) : null,
              pinned_hash: status === 'pinned' ? live.hash : null,
              pinned_at: status === 'pinned' ? now : null,
              pinned_by: status === 'pinned' ? 'trust-on-first-use' : null,
              first_seen_at: now,
              last_seen_at: now,
              changed_at: null,
              updated_at: now,
            })
            .execute();
          outcomes.push({ ...base, status, change: 'new' });
          continue;
        }
        const previous = row.status as ToolPinStatus;
        const liveChanged = row.live_hash !== live.hash;
        const wasFlagged = previous === 'quarantined' && row.quarantine_reason === 'flagged';
        let status: ToolPinStatus;
        let reason: QuarantineReason | null = null;
        if (invalid) status = 'invalid';
        else if (row.pinned_hash !== null) {
          // A flag no admin accepted quarantines even an unchanged pin, and only an approval lifts that quarantine.
          const flagged = wasFlagged || unacceptedFlags(live.flags, parseJsonColumn<ToolFlag[]>(row.accepted_flags, [])).length > 0;
          if (row.pinned_hash === live.hash && !flagged) status = 'pinned';
          else {
            status = 'quarantined';
            reason = flagged ? 'flagged' : 'changed';
          }
        } else status = pinnable ? 'pinned' : 'pending';
        const pinsNow = status === 'pinned' && row.pinned_hash === null;
        await db
          .updateTable('mcp_tools')
          .set({
            status,
            quarantine_reason: reason,
            flags: JSON.stringify(live.flags),
            live_definition: JSON.stringify(live.definition),
            live_hash: live.hash,
            last_seen_at: now,
            updated_at: now,
            ...(liveChanged ? { changed_at: now } : {}),
            ...(pinsNow
              ? {
                  pinned_definition: JSON.stringify(live.definition),
                  pinned_hash: live.hash,
                  pinned_at: now,
                  pinned_by: 'trust-on-first-use',
                }
              : {}),
          })
          .where('id', '=', row.id)
          .execute();
        if (status === 'quarantined' && (previous !== 'quarantined' || liveChanged || row.quarantine_reason !== reason))
          await quarantineRecord(server, row, live, actor, reason!);
        const change = previous === 'removed' ? 'restored' : liveChanged ? 'changed' : 'unchanged';
        outcomes.push({ ...base, status, change });
      }
      for (const row of rows) {
        if (seen.has(row.name)) continue;
        if (row.status !== 'removed') {
          await db.updateTable('mcp_tools').set({ status: 'removed', updated_at: now }).where('id', '=', row.id).execute();
        }
        outcomes.push({
          name: row.name,
          exposedName: exposedName(server, row.name),
          status: 'removed',
          change: 'removed',
          flags: parseJsonColumn<ToolFlag[]>(row.flags, []),
          hash: row.live_hash,
        });
      }
      // New names of this server may be shadowed by tools of servers registered before it: review them all.
      // (Other servers' flags depend only on this server's names, so a scan that adds none needs no review.)
      if (outcomes.some((outcome) => outcome.change === 'new' || outcome.change === 'restored'))
        await store.recheck(server.accountId, actor);
      return outcomes;
    },

    async recheck(accountId, actor) {
      const all = await store.list(accountId);
      const reviewed = all.filter((tool) => tool.status === 'pinned' || tool.status === 'pending' || tool.status === 'quarantined');
      const byServer = new Map((await servers.list(accountId)).map((server) => [server.id, server]));
      const quarantined: string[] = [];
      for (const { tool, flags } of reviewFlags(reviewed, all)) {
        const quarantine = tool.status === 'pinned' && unacceptedFlags(flags, tool.acceptedFlags).length > 0;
        const now = Date.now();
        let query = db
          .updateTable('mcp_tools')
          .set({
            flags: JSON.stringify(flags),
            updated_at: now,
            ...(quarantine ? { status: 'quarantined', quarantine_reason: 'flagged' } : {}),
          })
          .where('id', '=', tool.id)
          .where('live_hash', '=', tool.liveHash);
        if (quarantine) query = query.where('status', '=', 'pinned');
        const updated = await query.executeTakeFirst();
        if (!quarantine || Number(updated.numUpdatedRows) !== 1) continue;
        quarantined.push(tool.exposedName);
        const server = byServer.get(tool.serverId)!;
        await quarantineRecord(
          server,
          {
            name: tool.name,
            pinned_definition: JSON.stringify(tool.pinnedDefinition),
            pinned_hash: tool.pinnedHash,
            accepted_flags: JSON.stringify(tool.acceptedFlags),
          },
          { definition: tool.liveDefinition, hash: tool.liveHash, flags },
          actor,
          'flagged',
        );
        preloop.logger.warn(
          `mcp: quarantined "${tool.exposedName}": it is now flagged ${unacceptedFlags(flags, tool.acceptedFlags).join(', ')}; an admin must re-approve it`,
        );
      }
      if (quarantined.length > 0) options.onQuarantine?.(accountId);
      return quarantined;
    },

    async approvePin(accountId, name, expectedHash, actor, comment) {
      const tool = (await store.list(accountId)).find(
        (candidate) => candidate.exposedName === name && (candidate.status === 'pending' || candidate.status === 'quarantined'),
      );
      if (!tool) {
        const any = await store.find(accountId, name);
        if (!any) throw new PreloopError('NOT_FOUND', `No upstream tool named "${name}".`);
        throw new PreloopError('CONFLICT', `Tool "${name}" is ${any.status}; only pending or quarantined tools can be approved.`);
      }
      if (tool.liveHash !== expectedHash) {
        throw new PreloopError(
          'CONFLICT',
          `The definition of "${name}" is now ${tool.liveHash}, not ${expectedHash}: review the current diff and approve that hash.`,
          {
            details: { liveHash: tool.liveHash },
          },
        );
      }
      const now = Date.now();
      const updated = await db
        .updateTable('mcp_tools')
        .set({
          status: 'pinned',
          quarantine_reason: null,
          accepted_flags: JSON.stringify(tool.flags),
          pinned_definition: JSON.stringify(tool.liveDefinition),
          pinned_hash: tool.liveHash,
          pinned_at: now,
          pinned_by: actorId(actor),
          updated_at: now,
        })
        .where('id', '=', tool.id)
        .where('live_hash', '=', expectedHash)
        .where('status', 'in', ['pending', 'quarantined'])
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1)
        throw new PreloopError('CONFLICT', `Tool "${name}" changed while it was being approved; review it again.`);
      const diff = diffDefinitions(tool.pinnedDefinition, tool.liveDefinition);
      await preloop.audit.record({
        accountId,
        actor,
        action: 'mcp.tool.approve-pin',
        target: { type: 'mcp_tool', id: name },
        outcome: 'success',
        data: {
          server: tool.serverName,
          tool: tool.name,
          previousStatus: tool.status,
          previousHash: tool.pinnedHash,
          hash: tool.liveHash,
          flags: tool.flags,
          changes: diff.changes,
          diff: diff.text,
          comment: comment ?? null,
        },
      });
      return (await store.find(accountId, name))!;
    },
  };
  return store;
}
