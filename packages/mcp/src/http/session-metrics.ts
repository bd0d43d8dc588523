import type { Preloop } from '@preloop/core';

/** The kernel's count of open MCP sessions, summed over its handlers at scrape time. */
export interface OpenSessionGauge {
  /** Counts a handler's open sessions; returns the function that stops counting them (the handler's `close`). */
  track(count: () => number): () => void;
}

/**
 * Registers the kernel's `preloop_mcp_sessions_open` gauge (the sum over every
 * MCP handler of the kernel, read at scrape time). Made once per kernel, by the
 * `mcp()` plugin's runtime.
 *
 * @example
 * ```ts
 * const sessions = createOpenSessionGauge(preloop);
 * const untrack = sessions.track(() => registry.size());
 * ```
 */
export function createOpenSessionGauge(preloop: Preloop): OpenSessionGauge {
  const sources = new Set<() => number>();
  preloop.metrics.gauge({
    name: 'preloop_mcp_sessions_open',
    help: 'Open MCP sessions on this instance (stateful Streamable HTTP sessions).',
    collect() {
      let open = 0;
      for (const source of sources) open += source();
      this.set(open);
    },
  });
  return {
    track(count) {
      sources.add(count);
      return () => sources.delete(count);
    },
  };
}
