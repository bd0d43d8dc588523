/** Loopback host names: the default allowed `Host` names and `Origin` hosts. */
export const loopbackHosts: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The realm named in `WWW-Authenticate`. */
const realm = 'preloop';

/**
 * A JSON-RPC error response (id null), as the MCP transport answers HTTP-level failures.
 *
 * @example
 * ```ts
 * jsonRpcErrorResponse(404, -32001, 'Session not found');
 * ```
 */
export function jsonRpcErrorResponse(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * The 401 answer of the MCP authorization spec: `WWW-Authenticate: Bearer …`
 * (RFC 6750), with `error="invalid_token"` when a token was sent but refused,
 * `error="invalid_request"` for a token in the URL, and `resource_metadata`
 * (RFC 9728) when the host publishes protected-resource metadata.
 *
 * @example
 * ```ts
 * unauthorizedResponse({ error: 'invalid_token', description: 'The token is not valid here' });
 * ```
 */
export function unauthorizedResponse(
  options: { error?: 'invalid_token' | 'invalid_request'; description?: string; resourceMetadataUrl?: string; scope?: string } = {},
): Response {
  const parts = [`Bearer realm="${realm}"`];
  if (options.resourceMetadataUrl) parts.push(`resource_metadata="${options.resourceMetadataUrl}"`);
  if (options.scope) parts.push(`scope="${options.scope}"`);
  if (options.error) parts.push(`error="${options.error}"`);
  if (options.description) parts.push(`error_description="${options.description.replace(/["\\]/g, '')}"`);
  return jsonRpcErrorResponse(
    401,
    -32001,
    options.description ?? 'Authentication required: send "Authorization: Bearer <API key or runtime credential>".',
    {
      'www-authenticate': parts.join(', '),
    },
  );
}

/** A matcher for allowed `Host` values: names (any port) or `name:port` (exact). */
export function createHostMatcher(allowed: readonly string[] | null): (host: string | null) => boolean {
  if (allowed === null) return () => true;
  const entries = allowed.map((entry) => entry.toLowerCase());
  return (host) => {
    if (!host) return false;
    const value = host.toLowerCase();
    const name = value.startsWith('[') ? value.slice(0, value.indexOf(']') + 1) : value.split(':')[0]!;
    return entries.some((entry) => entry === value || entry === name);
  };
}

/** A matcher for allowed `Origin` values: full origins (`https://app.example.com`), or loopback origins on any port when `loopback` is set. */
export function createOriginMatcher(allowed: readonly string[], loopback: boolean): (origin: string) => boolean {
  const exact = new Set(allowed.map((origin) => origin.toLowerCase().replace(/\/+$/, '')));
  const isLoopback = createHostMatcher(loopbackHosts);
  return (origin) => {
    const value = origin.toLowerCase();
    if (exact.has(value)) return true;
    if (!loopback) return false;
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value && isLoopback(url.host);
    } catch {
      return false;
    }
  };
}

/** The outcome of reading a request body under a size limit. */
export type BodyRead = { ok: true; text: string } | { ok: false; tooLarge: true };

/**
 * Reads a request body, refusing a declared or observed size over `limit` bytes
 * without buffering more than the limit.
 *
 * @example
 * ```ts
 * const body = await readLimitedBody(request, 1_048_576);
 * if (!body.ok) return jsonRpcErrorResponse(413, -32000, 'Payload Too Large');
 * ```
 */
export async function readLimitedBody(request: Request, limit: number): Promise<BodyRead> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return { ok: false, tooLarge: true };
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, tooLarge: true };
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return { ok: true, text: text + decoder.decode() };
}

/**
 * Calls `onEnd` once when a response body has been fully sent or its reader
 * went away (the client disconnected), passing the chunks through unchanged.
 *
 * @example
 * ```ts
 * return new Response(onBodyEnd(response.body, () => server.close()), response);
 * ```
 */
export function onBodyEnd(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
        end();
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      end();
    },
  });
}

/**
 * The 403 of a valid credential that lacks the scope the endpoint needs, with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * forbiddenScopeResponse({ description: 'This credential lacks the "mcp" scope', scope: 'mcp' });
 * ```
 */
export function forbiddenScopeResponse(options: { description: string; scope: string; resourceMetadataUrl?: string }): Response {
  const parts = [`Bearer realm="${realm}"`, `error="insufficient_scope"`, `scope="${options.scope}"`];
  if (options.resourceMetadataUrl) parts.push(`resource_metadata="${options.resourceMetadataUrl}"`);
  parts.push(`error_description="${options.description.replace(/["\\]/g, '')}"`);
  return jsonRpcErrorResponse(403, -32001, options.description, { 'www-authenticate': parts.join(', ') });
}
