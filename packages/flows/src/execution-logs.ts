import { createId, type PreloopEvents } from '@preloop/core';
import { sql, type Kysely } from 'kysely';
import type { FlowTables } from './tables.js';

/** The longest log line kept, in characters (longer lines are cut with a note). */
export const maximumLogLineLength = 8192;

/** The most lines one execution keeps; later lines are dropped after one note. */
export const maximumLogLines = 5000;

/** One line of an execution's log. */
export interface ExecutionLogLine {
  seq: number;
  time: number;
  /** stdout, stderr, info, error or system. */
  stream: string;
  text: string;
}

/**
 * Appends lines to executions' logs (append-only rows, numbered per
 * execution) and announces each with the `flow-execution-log` event. Writes
 * of one execution are chained, so lines keep their order; `secrets` are
 * replaced by `[redacted]` before anything is stored.
 *
 * @example
 * ```ts
 * const logs = createExecutionLogs(db, preloop.events);
 * logs.append({ accountId, executionId, stream: 'info', text: 'started' });
 * await logs.flush(executionId);
 * ```
 */
export function createExecutionLogs(db: Kysely<FlowTables>, events: PreloopEvents, now: () => number) {
  const chains = new Map<string, Promise<void>>();
  const counts = new Map<string, number>();
  const secretsOf = new Map<string, string[]>();

  const write = async (accountId: string, executionId: string, stream: string, text: string) => {
    const count = (counts.get(executionId) ?? 0) + 1;
    counts.set(executionId, count);
    if (count > maximumLogLines + 1) return;
    let line = count === maximumLogLines + 1 ? `[log truncated: more than ${maximumLogLines} lines]` : text;
    for (const secret of secretsOf.get(executionId) ?? []) if (secret) line = line.split(secret).join('[redacted]');
    if (line.length > maximumLogLineLength)
      line = `${line.slice(0, maximumLogLineLength)}… [cut ${line.length - maximumLogLineLength} characters]`;
    const time = now();
    const next = await db
      .selectFrom('flow_execution_logs')
      .select(sql<number>`coalesce(max(seq), 0)`.as('seq'))
      .where('execution_id', '=', executionId)
      .executeTakeFirst();
    const seq = Number(next?.seq ?? 0) + 1;
    await db
      .insertInto('flow_execution_logs')
      .values({ id: createId('flog'), account_id: accountId, execution_id: executionId, seq, time, stream, text: line })
      .execute();
    events.emit('flow-execution-log', { accountId, executionId, seq, time, stream, text: line });
  };

  return {
    /** Values replaced by `[redacted]` in this execution's lines (its runtime credential, tokens). */
    protect(executionId: string, secrets: string[]) {
      secretsOf.set(executionId, [...(secretsOf.get(executionId) ?? []), ...secrets.filter((secret) => secret.length >= 8)]);
    },
    /** Queues a line (never throws; a failed write is dropped). */
    append(input: { accountId: string; executionId: string; stream: string; text: string }) {
      const previous = chains.get(input.executionId) ?? Promise.resolve();
      const next = previous.then(() => write(input.accountId, input.executionId, input.stream, input.text)).catch(() => {});
      chains.set(input.executionId, next);
    },
    /** Waits for the execution's queued lines to be written; forgets its state when `done`. */
    async flush(executionId: string, done = false) {
      await chains.get(executionId);
      if (done) {
        chains.delete(executionId);
        counts.delete(executionId);
        secretsOf.delete(executionId);
      }
    },
    /** Lines after `afterSeq`, in order. */
    async read(executionId: string, afterSeq = 0, limit = 1000): Promise<ExecutionLogLine[]> {
      const rows = await db
        .selectFrom('flow_execution_logs')
        .select(['seq', 'time', 'stream', 'text'])
        .where('execution_id', '=', executionId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ seq: Number(row.seq), time: Number(row.time), stream: row.stream, text: row.text }));
    },
  };
}

/** The execution log writer's interface. */
export type ExecutionLogs = ReturnType<typeof createExecutionLogs>;
