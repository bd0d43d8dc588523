/**
 * A JSON response with the given status.
 *
 * @example
 * ```ts
 * return json({ id: 'u1' }, 201);
 * ```
 */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  const responseHeaders = new Headers(headers);
  responseHeaders.set('content-type', 'application/json; charset=utf-8');
  return new Response(status === 204 ? null : JSON.stringify(data), { status, headers: responseHeaders });
}

export type { Page } from '../pagination/cursor-pagination.js';
