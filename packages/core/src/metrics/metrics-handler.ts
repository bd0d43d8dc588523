import { createHash, timingSafeEqual } from 'node:crypto';
import { PreloopError, toErrorResponse } from '../errors.js';
import { roleAtLeast, type Principal } from '../identity/principal.js';
import type { Preloop } from '../kernel/preloop.js';

/** Options of {@link createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /**
   * A bearer token for scrapers (`Authorization: Bearer <token>`, Prometheus'
   * `authorization.credentials`), at least 16 characters. Without it, only an owner or
   * admin (console session, or an API key with `metrics:read` or `admin:read`) may scrape.
   * @default undefined
   */
  token?: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Throws `FORBIDDEN` unless `principal` may read metrics: a user with the owner or
 * admin role, or an API key of such a user carrying `metrics:read`, `admin:read` or
 * `admin:write`.
 *
 * @example
 * ```ts
 * assertMayReadMetrics(principal); // throws PreloopError('FORBIDDEN') for a viewer
 * ```
 */
export function assertMayReadMetrics(principal: Principal): void {
  if ((principal.type !== 'user' && principal.type !== 'api_key') || !roleAtLeast(principal.role, 'admin')) {
    throw new PreloopError('FORBIDDEN', 'Reading metrics needs the admin role or higher.');
  }
  if (principal.type === 'api_key' && !['metrics:read', 'admin:read', 'admin:write'].some((scope) => principal.scopes.includes(scope))) {
    throw new PreloopError('FORBIDDEN', 'This API key lacks the "metrics:read" scope.');
  }
}

/**
 * Creates a web handler answering `GET` with the kernel's metrics in the Prometheus text
 * format, for a host to mount at `/metrics`. It accepts the configured scraper token, or
 * any credential of an owner or admin (see {@link assertMayReadMetrics}); anything else
 * gets `401`/`403` JSON and no metrics.
 *
 * @example
 * ```ts
 * const metrics = createMetricsHandler(preloop, { token: process.env.PRELOOP_METRICS_TOKEN });
 * // in a router: if (url.pathname === '/metrics') return metrics(request);
 * ```
 */
export function createMetricsHandler(preloop: Preloop, options: MetricsHandlerOptions = {}): (request: Request) => Promise<Response> {
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
    throw new PreloopError('CONFIGURATION_ERROR', 'Invalid metrics option "token": must be a string of at least 16 characters.');
  }
  const expected = options.token === undefined ? null : digest(options.token);
  return async (request) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        throw new PreloopError('METHOD_NOT_ALLOWED', 'Use GET for metrics.', { status: 405 });
      }
      const bearer = /^bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim();
      const scraper = expected !== null && bearer !== undefined && timingSafeEqual(digest(bearer), expected);
      if (!scraper) {
        const principal = await preloop.authenticate(request);
        if (!principal)
          throw new PreloopError(
            'UNAUTHENTICATED',
            'Authentication required: send the metrics token or an admin credential as "Authorization: Bearer …".',
          );
        assertMayReadMetrics(principal);
      }
      const text = await preloop.metrics.scrape();
      return new Response(request.method === 'HEAD' ? null : text, {
        status: 200,
        headers: { 'content-type': preloop.metrics.contentType, 'cache-control': 'no-store' },
      });
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
