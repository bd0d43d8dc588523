import { PreloopError } from '../errors.js';
import type { PreloopPlugin } from './define-plugin.js';

/**
 * Checks the plugin list and returns it in dependency order (dependencies first).
 * A duplicate id, a missing dependency or a dependency cycle is a configuration
 * error naming the plugins involved.
 *
 * @example
 * ```ts
 * const ordered = orderPlugins([approvals(), webhook()]);
 * ```
 */
export function orderPlugins(plugins: readonly PreloopPlugin[]): PreloopPlugin[] {
  const byId = new Map<string, PreloopPlugin>();
  for (const [index, plugin] of plugins.entries()) {
    if (!plugin || typeof plugin.id !== 'string' || plugin.id === '') {
      throw new PreloopError('CONFIGURATION_ERROR', `plugins[${index}]: a plugin needs a non-empty string "id".`);
    }
    if (byId.has(plugin.id)) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `plugins[${index}]: duplicate plugin id "${plugin.id}"; each plugin may be installed once.`,
      );
    }
    byId.set(plugin.id, plugin);
  }
  for (const plugin of plugins) {
    for (const dependency of plugin.dependencies ?? []) {
      if (!byId.has(dependency)) {
        throw new PreloopError(
          'CONFIGURATION_ERROR',
          `plugins: "${plugin.id}" depends on "${dependency}", which is not installed; add ${dependency}() to the plugins option.`,
        );
      }
    }
  }
  const ordered: PreloopPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: PreloopPlugin, path: string[]): void => {
    const current = state.get(plugin.id);
    if (current === 'done') return;
    if (current === 'visiting') {
      throw new PreloopError('CONFIGURATION_ERROR', `plugins: dependency cycle ${[...path, plugin.id].join(' -> ')}.`);
    }
    state.set(plugin.id, 'visiting');
    for (const dependency of plugin.dependencies ?? []) visit(byId.get(dependency)!, [...path, plugin.id]);
    state.set(plugin.id, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}
