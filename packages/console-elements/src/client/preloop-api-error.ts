/**
 * An error answer of the admin API (`{ error: { code, message, details? } }`),
 * or a request that never got one (`NETWORK_ERROR`, status 0).
 *
 * @example
 * ```ts
 * try {
 *   await client.auth.login(email, password);
 * } catch (error) {
 *   if (error instanceof PreloopApiError && error.status === 401) showLoginError(error.message);
 * }
 * ```
 */
export class PreloopApiError extends Error {
  /** The stable UPPER_SNAKE code, for example `UNAUTHENTICATED`, `VALIDATION_ERROR`, `NETWORK_ERROR`. */
  readonly code: string;
  /** The HTTP status, or 0 when the request failed before an answer. */
  readonly status: number;
  /** Structured details, for example the invalid fields. */
  readonly details: unknown;

  constructor(code: string, message: string, status: number, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PreloopApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /**
   * True when the server has no such route at all: the feature's package (approvals,
   * MCP, gateway) is not installed on this server, as opposed to an unknown id.
   */
  get routeMissing(): boolean {
    return this.status === 404 && /^No admin API route/.test(this.message);
  }

  /** True when the caller is not (or no longer) logged in. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

/**
 * True when `error` says the server lacks the route (the feature is not installed).
 *
 * @example
 * ```ts
 * if (isRouteMissing(error)) renderNotInstalled();
 * ```
 */
export function isRouteMissing(error: unknown): boolean {
  return error instanceof PreloopApiError && error.routeMissing;
}

/**
 * Builds a {@link PreloopApiError} from a non-OK response, reading its JSON error body when there is one.
 *
 * @example
 * ```ts
 * if (!response.ok) throw await toApiError(response);
 * ```
 */
export async function toApiError(response: Response): Promise<PreloopApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `Request failed with status ${response.status}`;
  let details: unknown;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      details = body.error.details;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new PreloopApiError(code, message, response.status, details);
}
