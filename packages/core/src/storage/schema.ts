import type { Generated } from 'kysely';

/**
 * Row types of the kernel's tables, as Kysely sees them (`preloop.db` is a
 * `Kysely<KernelTables>`; derive a row with `Selectable<KernelTables['users']>`).
 * Times are epoch milliseconds; JSON columns hold text; booleans are 0/1.
 */
export type KernelTables = {
  accounts: { id: string; name: string; created_at: number };
  users: {
    id: string;
    account_id: string;
    email: string;
    name: string;
    password_hash: string | null;
    role: string;
    disabled: number;
    created_at: number;
    updated_at: number;
  };
  console_sessions: {
    id: string;
    account_id: string;
    user_id: string;
    token_hash: string;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
  };
  teams: { id: string; account_id: string; name: string; created_at: number };
  team_members: { team_id: string; user_id: string; account_id: string };
  agents: {
    id: string;
    account_id: string;
    name: string;
    kind: string;
    state: string;
    state_reason: string | null;
    tags: string;
    owner_user_id: string | null;
    created_at: number;
    updated_at: number;
    last_seen_at: number | null;
  };
  api_keys: {
    id: string;
    account_id: string;
    name: string;
    prefix: string;
    key_hash: string;
    scopes: string;
    user_id: string | null;
    agent_id: string | null;
    created_at: number;
    expires_at: number | null;
    revoked_at: number | null;
    last_used_at: number | null;
  };
  runtime_sessions: {
    id: string;
    account_id: string;
    agent_id: string | null;
    api_key_id: string | null;
    user_id: string | null;
    name: string;
    source: string;
    external_id: string | null;
    metadata: string;
    started_at: number;
    last_heartbeat_at: number;
    ended_at: number | null;
    end_reason: string | null;
    /** JSON list of the credential's audiences (migration 0002-identity). */
    audience: string;
    /** When untrusted content first entered the session, or null (migration 0007-session-taint). */
    tainted_at: number | null;
    taint_reason: string | null;
    /** The tool whose result tainted the session. */
    taint_source: string | null;
  };
  runtime_session_activity: {
    id: string;
    account_id: string;
    session_id: string;
    time: number;
    kind: string;
    status: string;
    summary: string;
    data: string;
  };
  secrets: {
    id: string;
    account_id: string;
    name: string;
    key_id: string;
    wrapped_key: string;
    ciphertext: string;
    created_at: number;
    updated_at: number;
  };
  audit_records: {
    id: string;
    account_id: string;
    seq: number;
    time: number;
    actor_type: string;
    actor_id: string | null;
    principal: string | null;
    runtime_session_id: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    outcome: string;
    data: string;
    prev_hash: string;
    hash: string;
  };
  audit_heads: { account_id: string; seq: number; hash: string };
  audit_checkpoints: {
    id: string;
    account_id: string;
    seq: number;
    hash: string;
    key_id: string;
    signature: string;
    time: number;
  };
  /** Which checkpoint (id and signature) each audit anchor sink has received. */
  audit_anchor_exports: { sink: string; checkpoint_id: string; signature: string; exported_at: number };
  /** Per account, the last audit record archived and pruned (migration 0008-audit-boundaries); verification starts after it. */
  audit_boundaries: { account_id: string; seq: number; hash: string; checkpoint_id: string; archived_at: number };
  kernel_state: { account_id: string; key: string; value: string; updated_at: number };
  /** Fixed-window counters shared by every instance (login throttle, gateway limits); UNLOGGED on PostgreSQL (migration 0006-shared-counters). */
  rate_limit_counters: { key: string; window_start: number; count: number; expires_at: number };
  /** Bus messages of the SQLite Bus, polled by every process on the file (migration 0006-shared-counters). */
  bus_messages: { id: Generated<number>; origin: string; channel: string; payload: string; created_at: number };
  policy_versions: {
    id: string;
    account_id: string;
    version: number;
    document: string;
    source: string;
    comment: string | null;
    created_by: string | null;
    created_at: number;
  };
};

/**
 * Parses a JSON text column, returning `fallback` for null.
 *
 * @example
 * ```ts
 * const scopes = parseJsonColumn<string[]>(row.scopes, []);
 * ```
 */
export function parseJsonColumn<T>(value: string | null | undefined, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return JSON.parse(value) as T;
}
