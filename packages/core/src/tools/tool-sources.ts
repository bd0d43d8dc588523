/**
 * Per-account tool sources: tools that exist for one account and change while
 * the server runs (a tracker connection's tools appear when it is created and
 * go when it is deleted), next to the static tools plugins contribute
 * (`preloop.tools`). The MCP catalog lists both and re-reads an account's
 * sources when they announce a change on the Bus, on every instance.
 *
 * @module
 */

import type { Bus } from '../bus/bus.js';
import { busReconnectedChannel } from '../bus/bus.js';
import type { ToolContribution } from '../contracts/tool.js';

/** The Bus channel on which tool sources announce that an account's tools changed. */
export const toolSourcesBusChannel = 'tool-sources';

/** Something that lists one account's tools (for example the tracker connections). */
export interface ToolSource {
  /** Names the source in logs, for example `trackers`. */
  id: string;
  /** The account's tools now; names must be canonical and should be namespaced (`<connection>.<tool>`). */
  list(accountId: string): Promise<ToolContribution[]>;
}

/** The registry of per-account tool sources (`preloop.toolSources`). */
export interface ToolSources {
  /** Adds a source; returns a function that removes it. */
  add(source: ToolSource): () => void;
  /** Every source's tools for `accountId`, in the order the sources were added (a source that fails lists nothing and is reported to `onError`). */
  list(accountId: string): Promise<ToolContribution[]>;
  /** Tells every instance that `accountId`'s tools changed. */
  changed(accountId: string): Promise<void>;
  /** Calls `listener` when an account's tools changed here or on another instance (`undefined`: every account, after a Bus outage). */
  subscribe(listener: (accountId: string | undefined) => void): () => void;
}

/**
 * Creates the registry of per-account tool sources.
 *
 * @example
 * ```ts
 * const toolSources = createToolSources({ bus });
 * toolSources.add({ id: 'trackers', list: async (accountId) => trackerTools(accountId) });
 * await toolSources.changed('acc_default'); // after a connection changed
 * ```
 */
export function createToolSources(options: { bus: Bus; onError?: (source: string, error: unknown) => void }): ToolSources {
  const sources = new Set<ToolSource>();
  return {
    add(source) {
      sources.add(source);
      return () => void sources.delete(source);
    },
    async list(accountId) {
      const lists = await Promise.all(
        [...sources].map((source) =>
          source.list(accountId).catch((error: unknown) => {
            options.onError?.(source.id, error);
            return [] as ToolContribution[];
          }),
        ),
      );
      return lists.flat();
    },
    changed(accountId) {
      return options.bus.publish(toolSourcesBusChannel, { accountId });
    },
    subscribe(listener) {
      const off = options.bus.subscribe(toolSourcesBusChannel, (payload) => {
        const signal = payload as { accountId?: unknown } | null;
        if (typeof signal?.accountId === 'string') listener(signal.accountId);
      });
      const offReconnected = options.bus.subscribe(busReconnectedChannel, () => listener(undefined));
      return () => {
        off();
        offReconnected();
      };
    },
  };
}
