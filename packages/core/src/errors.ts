/**
 * Stable, machine-readable error codes used across Preloop packages.
 * Plugins may use their own UPPER_SNAKE codes; these are the kernel's.
 */
export type PreloopErrorCode =
  | 'CONFIGURATION_ERROR'
  | 'VALIDATION_ERROR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'GONE'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'BUDGET_EXCEEDED'
  | 'POLICY_DENIED'
  | 'DECRYPTION_FAILED'
  | 'UPSTREAM_ERROR'
  | 'STORE_UNAVAILABLE'
  | 'INTERNAL_ERROR'
  | (string & {});

/** Options accepted by {@link PreloopError}. */
export interface PreloopErrorOptions {
  /** HTTP status used when the error crosses a handler boundary. @default derived from the code */
  status?: number;
  /** The underlying error, kept for logs; never serialized to clients. */
  cause?: unknown;
  /** Structured, client-safe details (for example the invalid fields). */
  details?: unknown;
}

const defaultStatus: Record<string, number> = {
  CONFIGURATION_ERROR: 500,
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 429,
  POLICY_DENIED: 403,
  DECRYPTION_FAILED: 500,
  UPSTREAM_ERROR: 502,
  STORE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/**
 * The one error type of Preloop: a stable UPPER_SNAKE `code`, an HTTP `status`,
 * optional client-safe `details` and a `cause`. It becomes a JSON response only
 * at handler boundaries (see {@link toErrorResponse}).
 *
 * @example
 * ```ts
 * throw new PreloopError('NOT_FOUND', 'No API key with id k_123');
 * ```
 */
/** Marks every PreloopError, through a registry symbol, so two copies of core in one host still recognize each other's errors. */
const preloopErrorBrand = Symbol.for('preloop.error');

export class PreloopError extends Error {
  /**
   * True for every PreloopError of any copy of `@preloop/core` in the process:
   * `instanceof` alone fails when a host ends up with two copies.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype check.
    if (this !== PreloopError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[preloopErrorBrand] === true;
  }

  /** Stable machine-readable code, for example `NOT_FOUND`. */
  readonly code: PreloopErrorCode;
  /** HTTP status for this error. */
  readonly status: number;
  /** Client-safe structured details. */
  readonly details: unknown;

  constructor(code: PreloopErrorCode, message: string, options: PreloopErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PreloopError';
    this.code = code;
    this.status = options.status ?? defaultStatus[code] ?? 500;
    this.details = options.details;
    Object.defineProperty(this, preloopErrorBrand, { value: true });
  }

  /** The JSON body sent to clients: `{ error: { code, message, details? } }`. */
  toJSON(): { error: { code: string; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/**
 * Returns true when `value` is a {@link PreloopError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isPreloopError(error, 'NOT_FOUND')) return null;
 * ```
 */
export function isPreloopError(value: unknown, code?: PreloopErrorCode): value is PreloopError {
  return value instanceof PreloopError && (code === undefined || value.code === code);
}

/**
 * Converts any thrown value into a JSON `Response`. Unknown errors become a
 * generic 500 so internal messages (which may hold secrets) never leak. An
 * error whose `details.retryAfterSeconds` is a number (rate limits, an
 * unavailable store) also gets a `Retry-After` header.
 *
 * @example
 * ```ts
 * try { return await handle(request); } catch (error) { return toErrorResponse(error); }
 * ```
 */
export function toErrorResponse(error: unknown, headers?: HeadersInit): Response {
  const preloopError = isPreloopError(error)
    ? error
    : new PreloopError('INTERNAL_ERROR', 'Internal error; see the server log for details.');
  const responseHeaders = new Headers(headers);
  responseHeaders.set('content-type', 'application/json; charset=utf-8');
  const retryAfter = (preloopError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retryAfter === 'number' && !responseHeaders.has('retry-after'))
    responseHeaders.set('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  return new Response(JSON.stringify(preloopError.toJSON()), {
    status: preloopError.status,
    headers: responseHeaders,
  });
}
