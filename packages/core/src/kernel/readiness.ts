/**
 * Readiness: whether this instance can serve requests now. The kernel checks
 * its database and its Bus; plugins add their own checks (the gateway adds its
 * buffer of unwritten usage and audit records). Liveness needs no check: a
 * process that answers is alive.
 *
 * @module
 */

import { sql, type Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { Bus } from '../bus/bus.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';

/** One dependency's answer: null when it is ready, otherwise why it is not. */
export type ReadinessCheck = () => Promise<string | null> | string | null;

/** The state of one dependency in a {@link ReadinessReport}. */
export interface ReadinessCheckResult {
  ready: boolean;
  /** Why it is not ready. */
  reason?: string;
}

/** What `GET /api/v1/health/ready` reports. */
export interface ReadinessReport {
  /** `ready` when every check passed. */
  status: 'ready' | 'unavailable';
  /** Each dependency by name (`database`, `bus`, and those plugins add). */
  checks: Record<string, ReadinessCheckResult>;
}

/** The kernel's readiness checks (`preloop.readiness`). */
export interface Readiness {
  /** Adds a named check (a plugin's dependency); returns the function that removes it. */
  add(name: string, check: ReadinessCheck): () => void;
  /** Runs every check; one that does not answer within `timeoutMs` counts as not ready. */
  check(): Promise<ReadinessReport>;
}

/** How long one readiness check may take before it counts as failed, in ms. */
export const readinessTimeoutMs = 2000;

/**
 * Creates the kernel's readiness checks: `database` (a `select 1`) and `bus`
 * (its listening connection, when the Bus reports one).
 *
 * @example
 * ```ts
 * const readiness = createReadiness({ db, bus });
 * readiness.add('my-queue', () => (queue.full ? 'queue full' : null));
 * const report = await readiness.check();
 * ```
 */
export function createReadiness(options: { db: Kysely<KernelTables>; bus: Bus; timeoutMs?: number }): Readiness {
  const timeoutMs = options.timeoutMs ?? readinessTimeoutMs;
  const checks = new Map<string, ReadinessCheck>([
    [
      'database',
      async () => {
        try {
          await sql`select 1`.execute(options.db);
          return null;
        } catch (error) {
          const unavailable = toStoreUnavailableError(error);
          // Readiness is public: a short reason, never the driver's message.
          return unavailable ? (unavailable.details as { reason: string }).reason : 'query failed';
        }
      },
    ],
    [
      'bus',
      () => {
        const status = options.bus.status?.() ?? { connected: true };
        return status.connected ? null : `not listening (${status.reason ?? 'reconnecting'})`;
      },
    ],
  ]);
  const run = async (check: ReadinessCheck): Promise<ReadinessCheckResult> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      timer.unref?.();
    });
    try {
      const reason = await Promise.race([Promise.resolve().then(check), timeout]);
      return reason === null ? { ready: true } : { ready: false, reason };
    } catch {
      return { ready: false, reason: 'check failed' };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    add(name, check) {
      checks.set(name, check);
      return () => {
        if (checks.get(name) === check) checks.delete(name);
      };
    },
    async check() {
      const entries = await Promise.all([...checks].map(async ([name, check]) => [name, await run(check)] as const));
      const results = Object.fromEntries(entries);
      return { status: entries.every(([, result]) => result.ready) ? 'ready' : 'unavailable', checks: results };
    },
  };
}
