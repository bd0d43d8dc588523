/** Where a handler marks a response as "no route of mine matched". A registry symbol, so two copies of core agree. */
const unmatched = Symbol.for('preloop.unmatched-response');

/**
 * Marks `response` as the answer of a handler that has no route for the
 * request (its 404 for an unknown path, not for an unknown record). Mounted in
 * Express or another middleware chain, such a response is not written: the
 * Node adapter calls `next()` so the host's own routes can answer.
 *
 * @param response - The handler's 404 response.
 * @returns The same response.
 * @example
 * ```ts
 * app.notFound(() => markUnmatched(toErrorResponse(new PreloopError('NOT_FOUND', 'No route'))));
 * ```
 */
export function markUnmatched(response: Response): Response {
  Object.defineProperty(response, unmatched, { value: true });
  return response;
}

/**
 * True when `response` was marked with {@link markUnmatched}.
 *
 * @example
 * ```ts
 * if (next && isUnmatched(response)) return next();
 * ```
 */
export function isUnmatched(response: Response): boolean {
  return (response as unknown as Record<symbol, unknown>)[unmatched] === true;
}
