/**
 * Start-up checks of what plugins contribute (`contributions`): each
 * contribution against its contract's own checker.
 *
 * @module
 */

import { findModelProviderProblems } from '../contracts/model-provider.js';
import { findNotifierProblems } from '../contracts/notifier.js';
import { findRuntimeProblems } from '../contracts/runtime.js';
import { findTrackerProblems } from '../contracts/tracker.js';
import { describeValue } from '../contracts/describe-value.js';
import { PreloopError } from '../errors.js';
import type { PluginContributions, PreloopPlugin } from './define-plugin.js';

/** Each contribution kind's checker (problems of one contribution) and what it is called in messages; null: no contract yet. */
const contracts: Record<keyof PluginContributions, { name: string; problems: ((value: unknown) => string[]) | null }> = {
  modelProviders: { name: 'model provider', problems: findModelProviderProblems },
  notifiers: { name: 'notifier', problems: findNotifierProblems },
  trackers: { name: 'tracker', problems: findTrackerProblems },
  runtimes: { name: 'runtime', problems: findRuntimeProblems },
};

/**
 * Checks every plugin's `contributions` at start-up: each kind is an array,
 * each model provider, notifier and tracker implements its contract (version 1), and
 * no two contributions of one kind share an id. The first problem found is a
 * `CONFIGURATION_ERROR` naming the plugin, the kind, the index and what is
 * wrong, for example
 * `plugins: "slack" contributions.notifiers[0] is not a version 1 notifier: "version" must be 1 (got 2); "notify" must be a function.`
 *
 * @example
 * ```ts
 * checkContributions(orderPlugins(options.plugins));
 * ```
 */
export function checkContributions(plugins: readonly PreloopPlugin[]): void {
  const owners = new Map<string, string>();
  for (const plugin of plugins) {
    const contributions: unknown = plugin.contributions;
    if (contributions === undefined) continue;
    const where = `plugins: "${plugin.id}" contributions`;
    if (typeof contributions !== 'object' || contributions === null || Array.isArray(contributions)) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `${where} must be an object ({ modelProviders?, notifiers?, trackers?, runtimes? }), not ${describeValue(contributions)}.`,
      );
    }
    for (const [kind, list] of Object.entries(contributions)) {
      const contract = contracts[kind as keyof PluginContributions];
      if (!contract) {
        throw new PreloopError(
          'CONFIGURATION_ERROR',
          `${where}.${kind} is not a contribution kind; use ${Object.keys(contracts).join(', ')}.`,
        );
      }
      if (list === undefined) continue;
      if (!Array.isArray(list))
        throw new PreloopError('CONFIGURATION_ERROR', `${where}.${kind} must be an array, not ${describeValue(list)}.`);
      for (const [index, item] of list.entries()) {
        if (!contract.problems) continue;
        const problems = contract.problems(item);
        if (problems.length > 0) {
          throw new PreloopError(
            'CONFIGURATION_ERROR',
            `${where}.${kind}[${index}] is not a version 1 ${contract.name}: ${problems.join('; ')}.`,
            {
              details: { plugin: plugin.id, kind, index, problems },
            },
          );
        }
        const id = (item as { id: string }).id;
        const owner = owners.get(`${kind}:${id}`);
        if (owner !== undefined) {
          throw new PreloopError(
            'CONFIGURATION_ERROR',
            `${where}.${kind}[${index}]: ${owner} already contributes a ${contract.name} with the id "${id}"; ids must be unique.`,
            {
              details: { plugin: plugin.id, kind, index, problems: [`duplicate id "${id}"`] },
            },
          );
        }
        owners.set(`${kind}:${id}`, `plugin "${plugin.id}"`);
      }
    }
  }
}
