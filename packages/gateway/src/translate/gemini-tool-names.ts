/**
 * Function names between Gemini and upstreams with a stricter name pattern.
 * Gemini allows dots and colons (Gemini CLI names MCP tools
 * `mcp_server_tool.with.dots`); OpenAI and Anthropic accept only
 * `[a-zA-Z0-9_-]{1,64}`. Per request, every name that does not fit gets a
 * fitting one (other characters become `_`, then a `_2`, `_3`… suffix until it
 * collides with no other name of the request), and the map is kept both ways
 * so the upstream's calls come back under the client's own names.
 *
 * @module
 */

const fits = /^[a-zA-Z0-9_-]{1,64}$/;

/** A per-request, reversible mapping of function names. */
export interface ToolNameMap {
  /** The upstream name of a client name (assigned on first use). */
  toUpstream(name: string): string;
  /** The client name of an upstream name (unknown names come back unchanged). */
  toClient(name: string): string;
}

/**
 * Creates the map of one request. `names` are every function name the request
 * uses (declarations first): names that already fit are reserved as they are,
 * so a rewritten name never takes one of them.
 *
 * @example
 * ```ts
 * const names = createToolNameMap(['mcp_preloop_pin.deploy', 'mcp_preloop_pin_deploy']);
 * names.toUpstream('mcp_preloop_pin.deploy'); // 'mcp_preloop_pin_deploy_2'
 * names.toClient('mcp_preloop_pin_deploy_2'); // 'mcp_preloop_pin.deploy'
 * ```
 */
export function createToolNameMap(names: Iterable<string> = []): ToolNameMap {
  const up = new Map<string, string>();
  const down = new Map<string, string>();
  const taken = new Set<string>();
  const all = [...names];
  for (const name of all) {
    if (fits.test(name) && !up.has(name)) {
      up.set(name, name);
      down.set(name, name);
      taken.add(name);
    }
  }
  const assign = (name: string): string => {
    const existing = up.get(name);
    if (existing !== undefined) return existing;
    const base = (name.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool').slice(0, 64);
    let candidate = base;
    for (let index = 2; taken.has(candidate); index++) {
      const suffix = `_${index}`;
      candidate = base.slice(0, 64 - suffix.length) + suffix;
    }
    taken.add(candidate);
    up.set(name, candidate);
    down.set(candidate, name);
    return candidate;
  };
  for (const name of all) assign(name);
  return {
    toUpstream: assign,
    toClient: (name) => down.get(name) ?? name,
  };
}
