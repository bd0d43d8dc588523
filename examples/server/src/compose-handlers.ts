import { PreloopError, toErrorResponse } from '@preloop/core';

/** A web-standard handler mounted at a path prefix. */
export interface Mount {
  /** Path prefix, for example `/api/v1`; `/` matches everything left. */
  prefix: string;
  handler: (request: Request) => Promise<Response> | Response;
}

/**
 * Routes each request to the mount with the longest matching prefix (on a
 * path-segment boundary). Handlers see the full URL, unchanged.
 *
 * @example
 * ```ts
 * const handler = composeHandlers([{ prefix: '/api/v1', handler: preloop.api }]);
 * ```
 */
export function composeHandlers(mounts: Mount[]): (request: Request) => Promise<Response> {
  const sorted = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
  return async (request) => {
    const { pathname } = new URL(request.url);
    const mount = sorted.find(({ prefix }) => prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`));
    if (!mount) return toErrorResponse(new PreloopError('NOT_FOUND', `Nothing is served at ${pathname}.`));
    try {
      return await mount.handler(request);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
