import type { Preloop } from '@preloop/core';
import type { McpTables } from './mcp-tables.js';

/** How one governed call ended, for statistics. */
export type ToolCallOutcome = 'succeeded' | 'failed' | 'denied' | 'pending';

/** One call, as the statistics count it. */
export interface ToolCallSample {
  accountId: string;
  tool: string;
  outcome: ToolCallOutcome;
  /** Time from the call's arrival to its answer (approval waits included), in ms. */
  durationMs: number;
  /** True when the call asked for (or joined) an approval. */
  approval: boolean;
}

/** Call statistics of one tool. */
export interface ToolStats {
  tool: string;
  calls: number;
  succeeded: number;
  failed: number;
  denied: number;
  /** Calls pending an approval when they returned (async mode). */
  pending: number;
  /** Calls that asked for or joined an approval. */
  approvals: number;
  averageMs: number | null;
  maxMs: number | null;
  /** How many calls took under 10 ms, 100 ms, 1 s, 10 s, and longer. */
  latency: { under10ms: number; under100ms: number; under1s: number; under10s: number; over10s: number };
  lastCalledAt: number | null;
}

/** Per-tool call statistics, counted in memory and added to the database in batches. */
export interface ToolStatsStore {
  /** Counts one call (cheap: no I/O on the call path). */
  record(sample: ToolCallSample): void;
  /** The statistics of one tool, this instance's unwritten counts included. */
  get(accountId: string, tool: string): Promise<ToolStats>;
  /** Writes the pending counts now. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is pending. */
  close(): Promise<void>;
}

interface Delta {
  account_id: string;
  tool: string;
  calls: number;
  succeeded: number;
  failed: number;
  denied: number;
  approvals: number;
  total_ms: number;
  max_ms: number;
  under_10ms: number;
  under_100ms: number;
  under_1s: number;
  under_10s: number;
  over_10s: number;
  last_called_at: number;
}

const counters = [
  'calls',
  'succeeded',
  'failed',
  'denied',
  'approvals',
  'total_ms',
  'under_10ms',
  'under_100ms',
  'under_1s',
  'under_10s',
  'over_10s',
] as const;

function emptyDelta(accountId: string, tool: string): Delta {
  return {
    account_id: accountId,
    tool,
    calls: 0,
    succeeded: 0,
    failed: 0,
    denied: 0,
    approvals: 0,
    total_ms: 0,
    max_ms: 0,
    under_10ms: 0,
    under_100ms: 0,
    under_1s: 0,
    under_10s: 0,
    over_10s: 0,
    last_called_at: 0,
  };
}

function bucket(durationMs: number): (typeof counters)[number] {
  if (durationMs < 10) return 'under_10ms';
  if (durationMs < 100) return 'under_100ms';
  if (durationMs < 1000) return 'under_1s';
  if (durationMs < 10_000) return 'under_10s';
  return 'over_10s';
}

/**
 * Creates the statistics store. Counts are kept in memory and added to
 * `mcp_tool_stats` with one atomic upsert per tool every `flushIntervalMs`
 * (additions commute, so several instances can share the table).
 *
 * @example
 * ```ts
 * const stats = createToolStatsStore(preloop, { flushIntervalMs: 1000 });
 * stats.record({ accountId, tool: 'github.create_issue', outcome: 'succeeded', durationMs: 42, approval: false });
 * ```
 */
export function createToolStatsStore(preloop: Preloop, options: { flushIntervalMs?: number } = {}): ToolStatsStore {
  const db = preloop.db.withTables<McpTables>();
  let pending = new Map<string, Delta>();
  let flushing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => void store.flush().catch((error) => preloop.logger.warn('mcp: could not write tool statistics', { error })),
    options.flushIntervalMs ?? 1000,
  );
  timer.unref?.();

  const write = async (batch: Map<string, Delta>) => {
    for (const delta of batch.values()) {
      await db
        .insertInto('mcp_tool_stats')
        .values(delta)
        .onConflict((conflict) =>
          conflict.columns(['account_id', 'tool']).doUpdateSet((eb) => ({
            ...Object.fromEntries(counters.map((column) => [column, eb(`mcp_tool_stats.${column}`, '+', eb.ref(`excluded.${column}`))])),
            max_ms: eb
              .case()
              .when(eb.ref('excluded.max_ms'), '>', eb.ref('mcp_tool_stats.max_ms'))
              .then(eb.ref('excluded.max_ms'))
              .else(eb.ref('mcp_tool_stats.max_ms'))
              .end(),
            last_called_at: eb.ref('excluded.last_called_at'),
          })),
        )
        .execute();
    }
  };

  const store: ToolStatsStore = {
    record(sample) {
      const key = `${sample.accountId}\u0000${sample.tool}`;
      let delta = pending.get(key);
      if (!delta) pending.set(key, (delta = emptyDelta(sample.accountId, sample.tool)));
      const durationMs = Math.max(0, Math.round(sample.durationMs));
      delta.calls += 1;
      if (sample.outcome !== 'pending') delta[sample.outcome] += 1;
      if (sample.approval) delta.approvals += 1;
      delta.total_ms += durationMs;
      delta.max_ms = Math.max(delta.max_ms, durationMs);
      delta[bucket(durationMs)] += 1;
      delta.last_called_at = Date.now();
    },

    async get(accountId, tool) {
      await store.flush();
      const row = (await db
        .selectFrom('mcp_tool_stats')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('tool', '=', tool)
        .executeTakeFirst()) as Record<string, unknown> | undefined;
      const value = (column: string) => Number(row?.[column] ?? 0);
      const calls = value('calls');
      return {
        tool,
        calls,
        succeeded: value('succeeded'),
        failed: value('failed'),
        denied: value('denied'),
        pending: Math.max(0, calls - value('succeeded') - value('failed') - value('denied')),
        approvals: value('approvals'),
        averageMs: calls === 0 ? null : Math.round((value('total_ms') / calls) * 10) / 10,
        maxMs: calls === 0 ? null : value('max_ms'),
        latency: {
          under10ms: value('under_10ms'),
          under100ms: value('under_100ms'),
          under1s: value('under_1s'),
          under10s: value('under_10s'),
          over10s: value('over_10s'),
        },
        lastCalledAt: row?.last_called_at === null || row?.last_called_at === undefined ? null : Number(row.last_called_at),
      };
    },

    flush() {
      flushing = flushing
        .catch(() => {})
        .then(async () => {
          if (pending.size === 0) return;
          const batch = pending;
          pending = new Map();
          await write(batch);
        });
      return flushing;
    },

    async close() {
      clearInterval(timer);
      await store.flush().catch((error) => preloop.logger.warn('mcp: could not write tool statistics', { error }));
    },
  };
  return store;
}
