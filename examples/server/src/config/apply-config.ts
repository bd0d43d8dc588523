import type { Preloop } from '@preloop/core';
import { applyModelConfig } from '@preloop/gateway';
import { registerConfigServers } from '@preloop/mcp';
import { applyConfigPolicy } from './apply-config-policy.js';
import type { LoadedConfig } from './load-config.js';

/**
 * Applies the configuration file to the kernel, idempotently: a section
 * already in force is left as it is, so restarting with the same file changes
 * nothing. Returns what changed, for the start-up log.
 *
 * @example
 * ```ts
 * const changes = await applyConfig(preloop, await loadConfigFile('preloop.yaml'));
 * ```
 */
export async function applyConfig(preloop: Preloop, loaded: LoadedConfig): Promise<string[]> {
  const changes: string[] = [];
  const { config } = loaded;
  if (config.policy !== undefined) {
    const outcome = await applyConfigPolicy(preloop, {
      policy: config.policy,
      precedence: config.policyPrecedence,
      file: loaded.file,
      logger: preloop.logger,
    });
    if (outcome.action === 'applied') changes.push(`policy version ${outcome.version}`);
    if (outcome.action === 'kept-database')
      changes.push(`policy NOT applied: version ${outcome.version} from the admin API is newer (policyPrecedence: database)`);
  }
  if (config.models.length > 0) changes.push(...(await applyModelConfig(preloop, config.models)));
  if (config.mcpServers.length > 0) {
    for (const result of await registerConfigServers(preloop, config.mcpServers)) {
      if (result.change !== 'unchanged') changes.push(`MCP server ${result.name} ${result.change}`);
      if (result.scan && 'error' in result.scan) changes.push(`MCP server ${result.name}: scan failed (${result.scan.error})`);
    }
  }
  return changes;
}
