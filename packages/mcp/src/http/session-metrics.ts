import type { Preloop } from '@preloop/core';

const counters = new WeakMap<Preloop, Set<() => number>>();

/**
 * Counts an MCP handler's open sessions in the kernel's `preloop_mcp_sessions_open` gauge
 * (the sum over every handler of the kernel, read at scrape time). Returns the function
 * that stops counting them (the handler's `close`).
 *
 * @example
 * ```ts
 * const untrack = trackOpenSessions(preloop, () => registry.size());
 * ```
 */
export function trackOpenSessions(preloop: Preloop, count: () => number): () => void {
  let sources = counters.get(preloop);
  if (!sources) {
    const registered = new Set<() => number>();
    sources = registered;
    counters.set(preloop, registered);
    preloop.metrics.gauge({
      name: 'preloop_mcp_sessions_open',
      help: 'Open MCP sessions on this instance (stateful Streamable HTTP sessions).',
      collect() {
        let open = 0;
        for (const source of registered) open += source();
        this.set(open);
      },
    });
  }
  sources.add(count);
  return () => sources.delete(count);
}
