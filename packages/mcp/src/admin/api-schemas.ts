/**
 * The admin API contract of the MCP plugin: zod schemas of the bodies its
 * routes answer (upstream servers, scans, the tool catalog, pinned
 * definitions, per-tool statistics), and the types derived from them
 * (re-exported, types only, by `@preloop/mcp/api`). The request bodies are
 * `mcpServerInputSchema` and `mcpServerPatchSchema` (`store/server-schema.ts`)
 * and {@link approvePinBodySchema}.
 *
 * @module
 */
import type { SchemaAgrees } from '@preloop/core';
import { z } from 'zod';
import type { DefinitionDiff as StoredDefinitionDiff, ToolDefinition as StoredToolDefinition } from '../pinning/tool-definition.js';
import type { ToolFlag as StoredToolFlag } from '../pinning/poisoning.js';
import type { McpServerRecord } from '../store/server-schema.js';
import type {
  ScanToolOutcome as StoredScanToolOutcome,
  ToolPinStatus as StoredPinStatus,
  UpstreamToolRecord,
} from '../store/tool-store.js';
import type { ToolStats as StoredToolStats } from '../store/tool-stats.js';
import type { ScanReport } from '../upstream/upstream-manager.js';

const epochMs = z.number().int();

/** An upstream MCP server. Credentials are write-only: only their names are shown. */
export const mcpServerSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  /** Namespaces its tools as `<name>.<tool>`. */
  name: z.string(),
  transport: z.enum(['http', 'stdio']),
  /** For `http`. */
  url: z.string().nullable(),
  /** For `stdio`. */
  command: z.string().nullable(),
  args: z.array(z.string()),
  /** Names of the configured headers (values are secret). */
  headerNames: z.array(z.string()),
  /** Names of the configured environment variables (values are secret). */
  envNames: z.array(z.string()),
  namespaced: z.boolean(),
  trustOnFirstUse: z.boolean(),
  enabled: z.boolean(),
  timeoutMs: z.number().int(),
  /** `untrusted` when the server's tool results taint the runtime session that receives them. */
  trust: z.enum(['trusted', 'untrusted']),
  /** `api` (admin API) or `config` (the configuration file). */
  source: z.enum(['api', 'config']),
  /** `new` until the first scan, then `ok` or `error`. */
  status: z.enum(['new', 'ok', 'error']),
  lastError: z.string().nullable(),
  lastScanAt: epochMs.nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});

true satisfies SchemaAgrees<typeof mcpServerSchema, McpServerRecord>;

/** `GET /mcp-servers`: every upstream server of the account (not paginated). */
export const mcpServerListSchema = z.object({ items: z.array(mcpServerSchema) });

/** `DELETE /mcp-servers/:id`. */
export const mcpServerDeletedSchema = z.object({ deleted: z.literal(true), id: z.string() });

/** Signs of tool poisoning a definition may carry. */
export const toolFlagSchema = z.enum([
  'hidden-characters',
  'mentions-other-tools',
  'instruction-like',
  'invalid-name',
  'invalid-definition',
]);

true satisfies SchemaAgrees<typeof toolFlagSchema, StoredToolFlag>;

/** The pin status of an upstream tool. */
export const upstreamPinStatusSchema = z.enum(['pinned', 'pending', 'quarantined', 'removed', 'invalid']);

true satisfies SchemaAgrees<typeof upstreamPinStatusSchema, StoredPinStatus>;

/** What one scan did to one tool. */
export const scanToolOutcomeSchema = z.object({
  name: z.string(),
  exposedName: z.string(),
  status: upstreamPinStatusSchema,
  /** `new`, `unchanged`, `changed` (live definition differs from before), `removed` or `restored`. */
  change: z.enum(['new', 'unchanged', 'changed', 'removed', 'restored']),
  /** Signs of tool poisoning found in the definition. */
  flags: z.array(toolFlagSchema),
  hash: z.string(),
  /** Why the tool cannot be accepted at all, if so. */
  problem: z.string().optional(),
});

true satisfies SchemaAgrees<typeof scanToolOutcomeSchema, StoredScanToolOutcome>;

/** What one scan found and did (`POST /mcp-servers/:id/scan`). */
export const scanReportSchema = z.object({
  server: z.string(),
  /** `admin` scans may pin new tools (trust on first use); `automatic` ones never pin anything. */
  trigger: z.enum(['admin', 'automatic']),
  tools: z.array(scanToolOutcomeSchema),
  scannedAt: epochMs,
});

true satisfies SchemaAgrees<typeof scanReportSchema, ScanReport>;

/** An MCP tool definition as pinned (name, title, description, schemas, annotations; other members kept as sent). */
export const toolDefinitionSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.record(z.string(), z.unknown()),
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

true satisfies SchemaAgrees<typeof toolDefinitionSchema, StoredToolDefinition>;

/** An upstream tool as stored, with its live and pinned definitions (`POST /tools/:name/approve-pin`). */
export const upstreamToolSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  serverId: z.string(),
  serverName: z.string(),
  /** The tool's name upstream. */
  name: z.string(),
  /** The name agents see: `<server>.<tool>`, or the upstream name for a server that is not namespaced. */
  exposedName: z.string(),
  status: upstreamPinStatusSchema,
  flags: z.array(toolFlagSchema),
  /** The flags an admin saw and accepted when approving the pin; any other flag quarantines the tool. */
  acceptedFlags: z.array(toolFlagSchema),
  /** Why it is quarantined: `changed` (a revert restores it) or `flagged` (only an admin's approval does). */
  quarantineReason: z.enum(['changed', 'flagged']).nullable(),
  liveDefinition: toolDefinitionSchema,
  liveHash: z.string(),
  pinnedDefinition: toolDefinitionSchema.nullable(),
  pinnedHash: z.string().nullable(),
  pinnedAt: epochMs.nullable(),
  /** Who pinned it: `trust-on-first-use` or the approving principal's id. */
  pinnedBy: z.string().nullable(),
  firstSeenAt: epochMs,
  lastSeenAt: epochMs,
  /** When the live definition last changed. */
  changedAt: epochMs.nullable(),
});

true satisfies SchemaAgrees<typeof upstreamToolSchema, UpstreamToolRecord>;

/** The difference between a pinned definition and the one the upstream now offers. */
export const definitionDiffSchema = z.object({
  changes: z.array(
    z.object({
      /** JSON Pointer of the changed member, for example `/description`. */
      path: z.string(),
      kind: z.enum(['added', 'removed', 'changed']),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
  /** A unified diff of the two definitions as pretty canonical JSON. */
  text: z.string(),
});

true satisfies SchemaAgrees<typeof definitionDiffSchema, StoredDefinitionDiff>;

/** An upstream tool with the diff a re-approval would accept (`GET /tools/:name`); `diff` is null when live and pinned agree. */
export const upstreamToolDetailSchema = upstreamToolSchema.extend({ diff: definitionDiffSchema.nullable() });

/** Pin status of a catalog row: trusted (`builtin`, `plugin`) or an upstream pin state. */
export const toolPinStatusSchema = z.enum(['builtin', 'plugin', 'pinned', 'pending', 'quarantined', 'removed', 'invalid']);

/** One row of the tool catalog (`GET /tools`). */
export const catalogEntrySchema = z.object({
  /** The name policy, audit and statistics use, for example `github.create_issue`. */
  name: z.string(),
  source: z.enum(['builtin', 'plugin', 'upstream']),
  server: z.string().nullable(),
  /** `builtin`/`plugin` for trusted tools; the pin status for upstream ones. */
  status: toolPinStatusSchema,
  /** True when agents can list and call it (pinned, enabled, no name conflict; policy still decides per subject). */
  available: z.boolean(),
  /** True when its name collides with another tool, so it is hidden. */
  conflict: z.boolean(),
  /**
   * The name agents see, when it is not `name`: the tool's name would equal an
   * older tool's once agents map `.` to `_`, so it is listed with a hash suffix.
   */
  listedAs: z.string().nullable(),
  flags: z.array(toolFlagSchema),
  description: z.string().nullable(),
  pinnedHash: z.string().nullable(),
  liveHash: z.string().nullable(),
  pinnedAt: epochMs.nullable(),
  pinnedBy: z.string().nullable(),
  changedAt: epochMs.nullable(),
});

/** `GET /tools`: the whole catalog (not paginated). */
export const catalogSchema = z.object({ items: z.array(catalogEntrySchema) });

/** The body of `POST /tools/:name/approve-pin`: the live hash the admin reviewed. */
export const approvePinBodySchema = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64-hex-digit liveHash you reviewed'),
  comment: z.string().max(2000).optional(),
});

/** Call statistics of one tool (`GET /tools/:name/stats`). */
export const toolStatsSchema = z.object({
  tool: z.string(),
  calls: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  denied: z.number().int(),
  /** Calls still waiting for an approval when they returned (async mode). */
  pending: z.number().int(),
  /** Calls that asked for or joined an approval. */
  approvals: z.number().int(),
  averageMs: z.number().nullable(),
  maxMs: z.number().nullable(),
  /** How many calls took under 10 ms, 100 ms, 1 s, 10 s, and longer. */
  latency: z.object({
    under10ms: z.number().int(),
    under100ms: z.number().int(),
    under1s: z.number().int(),
    under10s: z.number().int(),
    over10s: z.number().int(),
  }),
  lastCalledAt: epochMs.nullable(),
});

true satisfies SchemaAgrees<typeof toolStatsSchema, StoredToolStats>;

/** An upstream MCP server (credentials shown by name only). */
export type McpServer = z.output<typeof mcpServerSchema>;
/** `GET /mcp-servers`. */
export type McpServerList = z.output<typeof mcpServerListSchema>;
/** `DELETE /mcp-servers/:id`. */
export type McpServerDeleted = z.output<typeof mcpServerDeletedSchema>;
/** What one scan found and did. */
export type McpScanReport = z.output<typeof scanReportSchema>;
/** One row of the tool catalog. */
export type CatalogEntry = z.output<typeof catalogEntrySchema>;
/** `GET /tools`. */
export type ToolCatalog = z.output<typeof catalogSchema>;
/** Pin status of a catalog row. */
export type CatalogPinStatus = z.output<typeof toolPinStatusSchema>;
/** An upstream tool with its definitions. */
export type UpstreamTool = z.output<typeof upstreamToolSchema>;
/** An upstream tool with the diff a re-approval would accept. */
export type UpstreamToolDetail = z.output<typeof upstreamToolDetailSchema>;
/** What `POST /tools/:name/approve-pin` takes. */
export type ApprovePinInput = z.input<typeof approvePinBodySchema>;
/** Signs of tool poisoning found in a definition. */
export type ToolFlag = z.output<typeof toolFlagSchema>;
/** The pin status of an upstream tool. */
export type ToolPinStatus = z.output<typeof upstreamPinStatusSchema>;
/** What one scan did to one tool. */
export type ScanToolOutcome = z.output<typeof scanToolOutcomeSchema>;
/** An MCP tool definition as pinned. */
export type ToolDefinition = z.output<typeof toolDefinitionSchema>;
/** The difference between a pinned and a live definition. */
export type DefinitionDiff = z.output<typeof definitionDiffSchema>;
/** One changed member between two definitions. */
export type DefinitionChange = DefinitionDiff['changes'][number];
/** Call statistics of one tool. */
export type ToolStats = z.output<typeof toolStatsSchema>;
