/**
 * The one signal for "a store Preloop depends on cannot be reached": a
 * `STORE_UNAVAILABLE` {@link PreloopError} (HTTP 503 with `Retry-After`),
 * and the classifier that recognizes the driver errors behind it
 * (PostgreSQL connection refused, lost, timed out or shutting down; SQLite
 * busy, full or failing I/O). Every surface maps it to its own shape, so
 * clients retry and operators look at the database, not at the kill switch
 * or the policy.
 *
 * @module
 */

import { PreloopError, isPreloopError } from '../errors.js';

/** Seconds a client is told to wait (`Retry-After`) when a store is unavailable. */
export const storeRetryAfterSeconds = 5;

/**
 * A store (the database, or a buffer in front of it) cannot serve the request
 * right now. Code `STORE_UNAVAILABLE`, status 503; `details` carries the
 * store's name, a short reason and `retryAfterSeconds` (sent as `Retry-After`).
 *
 * @example
 * ```ts
 * throw new StoreUnavailableError('database', 'connection refused');
 * ```
 */
export class StoreUnavailableError extends PreloopError {
  /** The store that failed, for example `database`. */
  readonly store: string;
  /** The seconds a client should wait before retrying. */
  readonly retryAfterSeconds: number;

  constructor(store: string, reason: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    const retryAfterSeconds = options.retryAfterSeconds ?? storeRetryAfterSeconds;
    super(
      'STORE_UNAVAILABLE',
      `Service unavailable: the ${store} cannot be reached (${reason}). Retry in ${retryAfterSeconds} s; operators: check the ${store}.`,
      {
        status: 503,
        cause: options.cause,
        details: { store, reason, retryAfterSeconds },
      },
    );
    this.name = 'StoreUnavailableError';
    this.store = store;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const nodeCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection lost',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
};

const postgresStates: Record<string, string> = {
  '57P01': 'server shutting down',
  '57P02': 'server crashed',
  '57P03': 'server starting up',
  '53300': 'too many connections',
};

const sqliteCodes: Array<[RegExp, string]> = [
  [/^SQLITE_BUSY/, 'database is locked'],
  [/^SQLITE_FULL/, 'disk full'],
  [/^SQLITE_IOERR/, 'I/O error'],
  [/^SQLITE_CANTOPEN/, 'cannot open the database file'],
];

const pgMessages: Array<[RegExp, string]> = [
  [/^Connection terminated/i, 'connection lost'],
  [/timeout exceeded when trying to connect/i, 'connection timed out'],
  [/connection timeout/i, 'connection timed out'],
  [/Client has encountered a connection error/i, 'connection lost'],
  [/^Query read timeout/i, 'query timed out'],
];

function reasonOf(error: unknown, depth = 0): string | null {
  if (error === null || typeof error !== 'object' || depth > 4) return null;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (nodeCodes[code]) return nodeCodes[code];
    if (postgresStates[code]) return postgresStates[code];
    if (/^08/.test(code) && code.length === 5) return 'connection failure';
    for (const [pattern, reason] of sqliteCodes) if (pattern.test(code)) return reason;
  }
  if (typeof message === 'string') for (const [pattern, reason] of pgMessages) if (pattern.test(message)) return reason;
  if (Array.isArray(errors))
    for (const inner of errors) {
      const reason = reasonOf(inner, depth + 1);
      if (reason) return reason;
    }
  return cause === undefined ? null : reasonOf(cause, depth + 1);
}

/**
 * The {@link StoreUnavailableError} behind `error` (itself, or one made from a
 * driver error that means the database cannot be reached), or null when
 * `error` is anything else (a constraint violation, a bug, a bad query).
 *
 * @example
 * ```ts
 * try { await db.selectFrom('accounts').selectAll().execute(); }
 * catch (error) { throw toStoreUnavailableError(error) ?? error; }
 * ```
 */
export function toStoreUnavailableError(error: unknown, store = 'database'): StoreUnavailableError | null {
  if (error instanceof StoreUnavailableError) return error;
  // A generic internal error that wraps a connection failure (the audit trail's, for example) is an outage too.
  if (isPreloopError(error) && error.code !== 'INTERNAL_ERROR') return null;
  const reason = reasonOf(error);
  return reason ? new StoreUnavailableError(store, reason, { cause: error }) : null;
}

/**
 * True when `error` means a store cannot be reached (see {@link toStoreUnavailableError}).
 *
 * @example
 * ```ts
 * if (isStoreUnavailable(error)) logger.warn('database down; failing closed');
 * ```
 */
export function isStoreUnavailable(error: unknown): boolean {
  return toStoreUnavailableError(error) !== null;
}
