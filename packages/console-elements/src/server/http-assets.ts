import type { ConsoleAsset } from './build-console-bundle.js';

/** Cached forever: content-hashed files. */
export const immutable = 'public, max-age=31536000, immutable';

/** A plain-text answer. */
export function text(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/**
 * A static file answer: compressed as the request accepts (for a {@link ConsoleAsset}), with its ETag
 * (a 304 when the browser has it), CORS open, and the given cache policy.
 */
export function asset(
  request: Request,
  body: ConsoleAsset | Uint8Array,
  type: string,
  cacheControl: string,
  hash: string | null,
): Response {
  const etag = hash ? `"${hash}"` : null;
  const headers: Record<string, string> = {
    'content-type': type,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
    'access-control-allow-origin': '*',
    vary: 'accept-encoding',
  };
  if (etag) headers.etag = etag;
  if (etag && request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  let bytes: Uint8Array;
  if (body instanceof Uint8Array) bytes = body;
  else {
    const accepted = request.headers.get('accept-encoding') ?? '';
    if (/\bbr\b/.test(accepted)) {
      bytes = body.brotli;
      headers['content-encoding'] = 'br';
    } else if (/\bgzip\b/.test(accepted)) {
      bytes = body.gzip;
      headers['content-encoding'] = 'gzip';
    } else bytes = body.code;
  }
  headers['content-length'] = String(bytes.byteLength);
  return new Response(request.method === 'HEAD' ? null : (bytes as BodyInit), { headers });
}

/** `path` as a mount point: one leading and one trailing slash (`'approve'` → `'/approve/'`, `''` → `'/'`). */
export function toBasePath(path: string): string {
  return `/${path.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
}

/**
 * `build` started now and shared by every caller; a failed build is retried by
 * the next call (its error surfaces on that request, or on `ready()`).
 */
export function buildOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  const ready = () =>
    (pending ??= build().catch((error) => {
      pending = null; // retry on the next request
      throw error;
    }));
  ready().catch(() => {});
  return ready;
}

/**
 * The Content-Security-Policy of a served page: scripts and styles from the
 * page's origin (and its inline style by hash), API calls to `apiBaseUrl`'s
 * origin too, then `extra` directives; no plugins, base, framing.
 */
export function pageCsp(apiBaseUrl: string, styleHash: string, extra: readonly string[] = []): string {
  const connect = ["'self'", ...(apiBaseUrl ? [new URL(apiBaseUrl).origin] : [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' ${styleHash}`,
    "img-src 'self' data:",
    `connect-src ${connect}`,
    ...extra,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** An HTML page answer (no body for HEAD): never cached, with its CSP, no sniffing, no referrer, no framing. */
export function htmlPage(request: Request, page: string, csp: string): Response {
  return new Response(request.method === 'HEAD' ? null : page, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
  });
}
