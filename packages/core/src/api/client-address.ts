/**
 * The network address of the client behind a web `Request`. A web-standard
 * `Request` carries no socket, so the adapter that builds it (the Node adapter
 * `toNodeHandler`, or the host's own) records the address here; the login
 * throttle keys its per-address limits on it.
 *
 * @module
 */

const addresses = new WeakMap<Request, string>();

/**
 * Records the client address of `request` (the socket's remote address, or the
 * address a trusted proxy reported). Hosts that build their own `Request`s call
 * it before handing the request to Preloop.
 *
 * @example
 * ```ts
 * // Hono on @hono/node-server:
 * setClientAddress(c.req.raw, c.env.incoming.socket.remoteAddress);
 * return preloop.api(c.req.raw);
 * ```
 */
export function setClientAddress(request: Request, address: string | null | undefined): void {
  const normalized = normalizeAddress(address);
  if (normalized) addresses.set(request, normalized);
}

/**
 * The client address recorded for `request`, or null when the adapter recorded none.
 *
 * @example
 * ```ts
 * const address = clientAddress(request) ?? 'unknown';
 * ```
 */
export function clientAddress(request: Request): string | null {
  return addresses.get(request) ?? null;
}

/**
 * The client address from an `X-Forwarded-For` header, counting `trustedHops`
 * proxies from the right (each proxy appends the address it saw, so the
 * rightmost entries are the trustworthy ones and the leftmost can be forged by
 * the client); falls back to `socketAddress` when the header is shorter.
 *
 * @example
 * ```ts
 * forwardedAddress('198.51.100.7, 203.0.113.9', '10.0.0.2', 1); // "203.0.113.9"
 * ```
 */
export function forwardedAddress(
  header: string | null | undefined,
  socketAddress: string | null | undefined,
  trustedHops: number,
): string | null {
  const entries = (header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (trustedHops < 1 || entries.length === 0) return normalizeAddress(socketAddress);
  return normalizeAddress(entries[Math.max(0, entries.length - trustedHops)]) ?? normalizeAddress(socketAddress);
}

/** Lower-cases, strips an IPv4-mapped IPv6 prefix and refuses anything that is not an address-like token. */
function normalizeAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const text = address
    .trim()
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return /^[0-9a-f:.]{2,45}$/.test(text) ? text : null;
}
