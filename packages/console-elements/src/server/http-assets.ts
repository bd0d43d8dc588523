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
